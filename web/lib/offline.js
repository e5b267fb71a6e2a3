// The built site's offline mode (scripts/build-site.mjs adds this module to every page of dist/):
// registers the service worker at the site's root (dist/sw.js, from scripts/service-worker.js),
// once the page has loaded, so its downloads never compete with the page's own.
import { siteUrl } from "./site-files.js";

if ("serviceWorker" in navigator) {
  const register = () => navigator.serviceWorker.register(new URL("sw.js", siteUrl), { scope: siteUrl.href })
    .catch((error) => console.warn(`nnplay: no offline mode (${error.message})`));
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
