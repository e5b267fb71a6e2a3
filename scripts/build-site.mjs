// Writes the deployable static site to dist/ (npm run build; needs web/build from scripts/build.sh):
// every page of web/ (any web/**/*.html) bundled and minified by Vite, with hashed file names in
// dist/assets/; both WASM builds and the pthread worker script; the pretrained models
// (dist/models/) and the data (dist/build/data/: MNIST, the CSV presets) copied as they are, where
// web/lib/site-files.js finds them; a service worker (dist/sw.js, from scripts/service-worker.js)
// that keeps the site for offline use; a web app manifest; and _headers, the two headers a host
// may send so the pages get threads (Netlify and Cloudflare Pages read that file).
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "vite";

const repo = fileURLToPath(new URL("..", import.meta.url));
const web = join(repo, "web");
export const distDir = join(repo, "dist");

// Copied as they are: fetched at run time by names the code computes (lib/site-files.js).
const COPIED = ["models", "build/data", "favicon.svg"];
// For the host, not the browser.
const HOST_FILES = ["_headers", ".nojekyll"];
// Not precached, kept by the service worker once a page has downloaded them (11 MB of MNIST).
const ON_DEMAND = /^build\/data\/mnist/;

/** What a host must send for cross-origin isolation: the pages then train on every core. */
export const THREAD_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

const MANIFEST = {
  name: "nnplay — neural network playground",
  short_name: "nnplay",
  description: "Train a small neural network in your browser and watch it learn.",
  start_url: "./",
  scope: "./",
  display: "standalone",
  background_color: "#ffffff",
  theme_color: "#183153",
  icons: [{ src: "favicon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" }],
};

/** Every page of the site: web/**\/*.html but the generated web/build/. */
export function pages() {
  return readdirSync(web, { recursive: true })
    .map((path) => path.split("\\").join("/"))
    .filter((path) => path.endsWith(".html") && !path.startsWith("build/"))
    .sort();
}

function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((path) => path.split("\\").join("/"))
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

// A file named worker.js is a module Worker's entry (new URL("./worker.js", import.meta.url)
// handed to new Worker elsewhere, so Vite does not see it as one): it becomes a bundle of its own,
// and the URL points at that bundle.
function moduleWorkers() {
  const pattern = /new URL\(\s*(["'])([^"'?]*\/worker\.js)\1\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: "nnplay-module-workers",
    transform(code, id) {
      if (!id.startsWith(web)) return null;
      const imports = [];
      const out = code.replace(pattern, (_, quote, path) => {
        const name = `__nnplayWorker${imports.length}`;
        imports.push(`import ${name} from ${JSON.stringify(`${path}?worker&url`)};`);
        return `new URL(${name}, import.meta.url)`;
      });
      return imports.length ? { code: `${imports.join("\n")}\n${out}`, map: null } : null;
    },
  };
}

// A page's boot.js (a module script before its main.js: it starts the page's worker and its
// WebAssembly) stays an entry of its own, which runs as soon as its few kilobytes are here, not
// after the page's whole bundle (Vite would merge both scripts into one). main.js imports what
// boot.js exported from that same script.
function bootFirst(page) {
  const tag = readFileSync(join(web, page), "utf8").match(/<script type="module" src="([^"]*\bboot\.js)"><\/script>\n?/);
  if (!tag) return { input: {}, plugins: [] };
  const id = join(web, posix.dirname(page), tag[1]);
  return {
    input: { [`${entryName(page)}-boot`]: id },
    plugins: [{
      name: "nnplay-boot-first",
      transformIndexHtml: {
        order: "pre",
        handler: (html) => html.replace(tag[0], ""),
      },
    }, {
      name: "nnplay-boot-first-tag",
      transformIndexHtml: {
        order: "post",
        handler: (html, { bundle }) => {
          const chunk = Object.values(bundle).find((c) => c.type === "chunk" && c.isEntry && c.facadeModuleId === id);
          const src = posix.relative(posix.dirname(page), chunk.fileName);
          return html.replace(/<script type="module"/, `<script type="module" crossorigin src="./${src}"></script>\n  $&`);
        },
      },
    }],
  };
}

const entryName = (page) => page.replace(/\.html$/, "").replaceAll("/", "-");

// Every page registers the service worker (web/lib/offline.js) and links the manifest, both at
// the site's root: only in the built site, so the dev server never serves from a stale cache.
function offlinePages() {
  const root = (page) => posix.relative(posix.dirname(page), "") || ".";
  return [{
    name: "nnplay-offline-register",
    transformIndexHtml: {
      order: "pre",
      handler: () => [{ tag: "script", attrs: { type: "module", src: "/lib/offline.js" }, injectTo: "head" }],
    },
  }, {
    name: "nnplay-offline-manifest",
    transformIndexHtml: {
      order: "post",
      handler: (html, { path }) => [{ tag: "link", injectTo: "head",
        attrs: { rel: "manifest", href: `${root(path.replace(/^\//, ""))}/manifest.webmanifest` } }],
    },
  }];
}

/**
 * Builds the site into outDir (dist/); returns { outDir, files, onDemand, version }: the files the
 * service worker precaches, those it keeps once downloaded (MNIST), and its cache's version.
 */
export async function buildSite({ outDir = distDir, quiet = false } = {}) {
  for (const need of ["build/nnplay_wasm.wasm", "build/nnplay_wasm_mt.wasm", "build/data/mnist.json"]) {
    if (!existsSync(join(web, need))) throw new Error(`web/${need} is missing: run bash scripts/build.sh first`);
  }
  rmSync(outDir, { recursive: true, force: true });
  // One build per page: each page is one script and one stylesheet (plus its worker's script),
  // not a dozen shared chunks, since every request costs a page time before it is interactive.
  // Modules that pages share are in each page's script; the bytes are few.
  for (const page of pages()) {
    const boot = bootFirst(page);
    await build({
      configFile: false,
      root: web,
      base: "./",  // relative URLs: the site works under any path (GitHub Pages: /<repository>/)
      logLevel: quiet ? "warn" : "info",
      plugins: [moduleWorkers(), ...boot.plugins, ...offlinePages()],
      worker: { format: "es", plugins: () => [moduleWorkers()] },
      build: {
        outDir,
        emptyOutDir: false,
        target: "es2022",
        // The polyfill is an inline script, which the pages' Content-Security-Policy forbids; every
        // browser that runs the site supports <link rel="modulepreload"> itself.
        modulePreload: { polyfill: false },
        assetsInlineLimit: 0,  // no data: URLs: workers and WASM must stay files
        // The entry's name becomes its script's name, in assets/ itself (no "/" in it).
        rollupOptions: { input: { [entryName(page)]: join(web, page), ...boot.input } },
        reportCompressedSize: false,
      },
    });
  }
  for (const path of COPIED) cpSync(join(web, path), join(outDir, path), { recursive: true });
  rmSync(join(outDir, "models/README.md"), { force: true });
  writeFileSync(join(outDir, "manifest.webmanifest"), `${JSON.stringify(MANIFEST, null, 2)}\n`);
  writeFileSync(join(outDir, "_headers"), `/*\n${Object.entries(THREAD_HEADERS)
    .map(([name, value]) => `  ${name}: ${value}\n`).join("")}`);
  writeFileSync(join(outDir, ".nojekyll"), "");  // GitHub Pages: serve the files as they are

  // The cache's version is a hash of every file's name and bytes: a new release is a new cache.
  const all = files(outDir).filter((path) => !HOST_FILES.includes(path));
  const precache = all.filter((path) => !ON_DEMAND.test(path));
  const hash = (list) => {
    const sha = createHash("sha256");
    for (const path of list) sha.update(`${path}\0`).update(readFileSync(join(outDir, path)));
    return sha.digest("hex").slice(0, 16);
  };
  const onDemand = all.filter((path) => ON_DEMAND.test(path));
  const version = hash(precache);
  const dataVersion = hash(onDemand);
  const worker = readFileSync(join(repo, "scripts/service-worker.js"), "utf8");
  writeFileSync(join(outDir, "sw.js"), `${[
    `const VERSION = ${JSON.stringify(version)};`,
    `const DATA_VERSION = ${JSON.stringify(dataVersion)};`,
    `const PRECACHE = ${JSON.stringify(precache)};`,
    `const ON_DEMAND = ${ON_DEMAND};`,
  ].join("\n")}\n${worker}`);
  return { outDir, files: precache, onDemand, version };
}

/**
 * { files, bytes, gzipBytes } of a built site, or of the listed files in it (gzip -9 of each file,
 * as a host would send it; the MNIST files are gzip files already).
 */
export function siteSize(dir = distDir, list = files(dir)) {
  let bytes = 0;
  let gzipBytes = 0;
  for (const path of list) {
    const data = readFileSync(join(dir, path));
    bytes += data.length;
    gzipBytes += /\.gz$/.test(path) ? data.length : gzipSync(data, { level: 9 }).length;
  }
  return { files: list.length, bytes, gzipBytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outDir, files: precached, onDemand, version } = await buildSite({ quiet: true });
  const all = siteSize(outDir);
  const kept = siteSize(outDir, precached);
  const mb = (n) => (n / 1e6).toFixed(2);
  console.log(`${relative(process.cwd(), outDir) || "."}/ (${pages().length} pages): ${all.files} files, ` +
    `${mb(all.bytes)} MB, ${mb(all.gzipBytes)} MB gzipped, MNIST's ${mb(siteSize(outDir, onDemand).bytes)} MB included`);
  console.log(`the service worker precaches ${kept.files} files, ${mb(kept.bytes)} MB, ${mb(kept.gzipBytes)} MB ` +
    `gzipped (cache version ${version}); MNIST when a page first downloads it`);
  console.log(`threads need the host to send ${Object.entries(THREAD_HEADERS).map(([k, v]) => `${k}: ${v}`)
    .join(", ")} (dist/_headers says so to Netlify and Cloudflare Pages)`);
}
