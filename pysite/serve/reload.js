// pysite live reload: injected by `pysite serve` into every HTML response, never written to disk.
// The server sends one `build` event per rebuild listing the output paths it touched;
// when this page's own output is among them, its new body replaces the old one in place
// (no flash, the scroll position kept; a full reload when the stylesheets it links changed).
// Changed stylesheets and images are swapped in place; a changed script reloads the page.
(() => {
  const script = document.currentScript;
  const me = script.dataset.path;            // this page's output path, e.g. "pages/a/index.html"
  const since = script.dataset.since;        // the build this page was served from

  const among = (url, files) => {
    const path = new URL(url, location.href).pathname;
    return files.some((rel) => path.endsWith("/" + rel));
  };
  const fresh = (url) => {
    const address = new URL(url, location.href);
    address.searchParams.set("pysite", Date.now());
    return address.href;
  };

  const swapStylesheets = (changed) => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      if (!among(link.href, changed)) continue;
      const swapped = link.cloneNode();
      swapped.href = fresh(link.href);
      swapped.onload = () => link.remove();   // keep the old sheet until the new one is in: no flash
      link.after(swapped);
    }
  };

  // A document keeps the images it has loaded by address, whatever the server says about
  // caching: a figure a cell drew anew at the same address needs a new address to show.
  const redraw = (changed) => {
    for (const element of document.querySelectorAll("img[src], source[src], video[src], audio[src], embed[src], iframe[src]")) {
      if (among(element.src, changed)) element.src = fresh(element.src);
    }
  };

  const stylesheets = (doc) =>
    [...doc.querySelectorAll('link[rel="stylesheet"]')].map((link) => link.getAttribute("href")).join("\n");

  const refresh = async (files) => {
    try {
      const response = await fetch(location.href, { cache: "no-store" });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      if (stylesheets(page) !== stylesheets(document)) return location.reload();
      const scrolled = window.scrollY;
      document.title = page.title;
      document.body.replaceWith(page.body);    // its copy of this script does not run: this one stays
      swapStylesheets(files);
      redraw(files);
      window.scrollTo(0, scrolled);
    } catch (error) {
      location.reload();
    }
  };

  const onBuild = (event) => {
    const changed = JSON.parse(event.data);
    if (changed.includes("*")) return location.reload();
    const files = changed.filter((rel) => !rel.endsWith(".html"));
    const scripts = [...document.querySelectorAll("script[src]")].map((element) => element.src);
    if (scripts.some((url) => among(url, files))) return location.reload();  // code cannot be swapped
    if (changed.includes(me)) return refresh(files);
    swapStylesheets(files);
    redraw(files);
  };

  // On reconnecting, the browser sends the last event's id, so no build is missed; a
  // restarted server answers with "*" (everything changed).
  const events = new EventSource("/__pysite/events?since=" + encodeURIComponent(since));
  events.addEventListener("build", onBuild);
})();
