// The built site's offline mode (scripts/build-site.mjs adds this module to every page of dist/):
// registers the service worker at the site's root (dist/sw.js, from scripts/service-worker.js)
// once the page has loaded and is usable (window.nnplay.ready), so that its downloads never
// compete with the page's own.
import { siteUrl } from "./site-files.js";

async function register() {
  await new Promise((resolve) => (document.readyState === "complete" ? resolve()
    : addEventListener("load", resolve, { once: true })));
  await window.nnplay?.ready?.catch(() => {});
  await navigator.serviceWorker.register(new URL("sw.js", siteUrl), { scope: siteUrl.href });
}

if ("serviceWorker" in navigator) {
  register().catch((error) => console.warn(`nnplay: no offline mode (${error.message})`));
}
