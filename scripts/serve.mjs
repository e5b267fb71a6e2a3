// Serves the static site in web/ on http://localhost:8080 (PORT overrides). No dependencies.
// It sends COOP/COEP, which cross-origin isolation (WASM threads: every core) needs; with
// --no-isolation it does not, as a plain static host would not (the pages then use one thread).
// Every response carries the site's Content-Security-Policy: the same policy as each page's
// <meta> tag (which any static host serves), plus frame-ancestors, which only a header can carry:
// no page may be framed by another, except embed.html, which is made for other sites' frames.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { basename, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The policy every page declares in <meta http-equiv="Content-Security-Policy"> (a Node test
 * checks each page against it): only the site's own scripts, styles, workers and fetches;
 * 'wasm-unsafe-eval' lets WebAssembly compile (the glue has no eval: -sDYNAMIC_EXECUTION=0).
 */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
  "style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'";
const headerPolicy = (file) => `${CONTENT_SECURITY_POLICY}; frame-ancestors ${basename(file) === "embed.html" ? "*" : "'none'"}`;

const site = fileURLToPath(new URL("../web/", import.meta.url));

// What /sw.js is where the folder has none (web/: the service worker is the built site's). A
// browser that opened the built site (dist/) at this address before keeps its service worker,
// which would serve that site's pages from its cache; the browser asks for /sw.js to update it,
// gets this, and it removes itself and the site's caches and reloads the pages it held.
const RETIRED_SERVICE_WORKER = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (name.startsWith("nnplay ")) await caches.delete(name);
  await self.registration.unregister();
  for (const client of await self.clients.matchAll({ type: "window" })) client.navigate(client.url);
})()));
`;
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".bin": "application/octet-stream",
  ".gz": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
};

/**
 * Starts the server; resolves to { server, url }. port 0 picks a free port (tests); root serves
 * another folder than web/.
 */
export function serve({ port = Number(process.env.PORT ?? 8080), isolated = true, root = site } = {}) {
  root = root.endsWith(sep) ? root : root + sep;
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
      let file = normalize(join(root, path));
      if (!file.startsWith(root) && file + sep !== root) throw Object.assign(new Error(), { code: "ENOENT" });
      if (path === "/sw.js" && !(await stat(file).catch(() => null))) {
        response.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
        return response.end(RETIRED_SERVICE_WORKER);
      }
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file);
      }
      const headers = {
        "Content-Type": types[extname(file)] ?? "application/octet-stream",
        "Content-Length": info.size,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        // On scripts too: a Worker runs under the policy of its own script's response.
        "Content-Security-Policy": headerPolicy(file),
      };
      if (isolated) {
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      }
      response.writeHead(200, headers);
      if (request.method === "HEAD") return response.end();
      createReadStream(file).pipe(response);
    } catch (error) {
      const missing = error.code === "ENOENT" || error.code === "ENOTDIR";
      response.writeHead(missing ? 404 : 500, { "Content-Type": "text/plain; charset=utf-8" });
      response.end(missing ? "not found\n" : "server error\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      resolve({ server, url: `http://localhost:${server.address().port}/` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serve({ isolated: !process.argv.includes("--no-isolation") });
  console.log(`nnplay is running at ${url}  (Ctrl+C to stop)`);
}
