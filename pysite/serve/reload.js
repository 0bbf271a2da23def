// pysite live reload: injected by `pysite serve` into every HTML response, never written to disk.
// The server sends one `build` event per rebuild listing the output paths it touched;
// this page reloads when its own output is among them, and swaps stylesheets in place
// when only stylesheets changed.
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

  const onBuild = (event) => {
    const changed = JSON.parse(event.data);
    if (changed.includes("*") || changed.includes(me)) return location.reload();
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
