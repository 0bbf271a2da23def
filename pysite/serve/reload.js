// pysite live reload: injected by `pysite serve` into every HTML response, never written to disk.
// The server sends one `build` event per rebuild listing the output paths it touched;
// when this page's own output is among them, its new body replaces the old one in place
// (no flash, the scroll position kept; a full reload when its stylesheets changed), and
// stylesheets are swapped in place when only stylesheets changed.
(() => {
  const script = document.currentScript;
  const me = script.dataset.path;            // this page's output path, e.g. "pages/a/index.html"
  const since = script.dataset.since;        // the build this page was served from

  const swapStylesheets = (changed) => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const path = new URL(link.href, location.href).pathname;
      if (!changed.some((rel) => path.endsWith("/" + rel))) continue;
      const fresh = link.cloneNode();
      const url = new URL(link.href, location.href);
      url.searchParams.set("pysite", Date.now());
      fresh.href = url.href;
      fresh.onload = () => link.remove();     // keep the old sheet until the new one is in: no flash
      link.after(fresh);
    }
  };

  const stylesheets = (doc) =>
    [...doc.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.getAttribute("href")).join("\n");

  const refresh = async () => {
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (stylesheets(fresh) !== stylesheets(document)) return location.reload();
      const scrolled = window.scrollY;
      document.title = fresh.title;
      document.body.replaceWith(fresh.body);   // its copy of this script does not run: this one stays
      window.scrollTo(0, scrolled);
    } catch (error) {
      location.reload();
    }
  };

  const onBuild = (event) => {
    const changed = JSON.parse(event.data);
    if (changed.includes("*")) return location.reload();
    if (changed.includes(me)) return refresh();
    const files = changed.filter((rel) => !rel.endsWith(".html"));
    if (!files.length) return;
    if (files.every((rel) => rel.endsWith(".css"))) swapStylesheets(files);
    else location.reload();                  // an image or script this page may use
  };

  // On reconnecting, the browser sends the last event's id, so no build is missed; a
  // restarted server answers with "*" (everything changed).
  const events = new EventSource("/__pysite/events?since=" + encodeURIComponent(since));
  events.addEventListener("build", onBuild);
})();
