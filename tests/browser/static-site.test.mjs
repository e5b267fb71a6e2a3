// The built site (dist/, scripts/build-site.mjs) as a plain static host serves it, under a path
// as GitHub Pages serves a repository's site (/nnplay/): Python's http.server, which sends no
// Cross-Origin-Opener/Embedder-Policy (so the pages run the single-thread core) and no
// Content-Security-Policy header (the pages' own <meta> policy applies). Every page opens, the
// playground trains, the digits page reads a drawn digit; then, with the server stopped and the
// browser offline, the service worker opens both pages again from its cache, MNIST included once
// a page has downloaded it. Also: a host that sends the thread headers, a new release replacing
// the old, installing as an app, and npm start at an address where the built site was. The site
// is built once, here, into a folder of its own (npm run build's dist/ stays as it is).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { buildSite, pages } from "../../scripts/build-site.mjs";
import { serve } from "../../scripts/serve.mjs";
import { DRAWN } from "../drawn-digits.mjs";
import { chromiumOptions, drawOnPad, launchChromium } from "./browser.mjs";

const tempDir = (name) => mkdtempSync(join(tmpdir(), `nnplay-${name}-`));

let browser;
let site;
before(async () => {
  site = await buildSite({ outDir: tempDir("dist"), quiet: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  if (site) rmSync(site.outDir, { recursive: true, force: true });
});

/** python3 -m http.server on a free port, serving dir at /nnplay/: { url, stop() }. */
async function pythonServer(dir) {
  const root = tempDir("host");
  symlinkSync(dir, join(root, "nnplay"));
  const child = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root],
    { stdio: ["ignore", "pipe", "pipe"] });
  child.once("exit", () => rmSync(root, { recursive: true, force: true }));
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/port (\d+)/);
      if (found) resolve(Number(found[1]));
    });
    child.once("exit", (code) => reject(new Error(`python3 -m http.server exited (${code}): ${out}`)));
  });
  const stopped = new Promise((resolve) => child.once("exit", resolve));
  return { url: `http://127.0.0.1:${port}/nnplay/`, stop: () => { child.kill(); return stopped; } };
}

// A new browser context (its own cache and service workers); records errors and every URL the
// pages and their workers ask for (not the service worker's own downloads).
async function openContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const requested = [];
  context.on("request", (request) => { if (!request.serviceWorker()) requested.push(request.url()); });
  async function open(url) {
    const page = await context.newPage();
    page.errors = [];
    page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
    page.on("pageerror", (e) => page.errors.push(e.message));
    await page.goto(url);
    await waitReady(page);
    return page;
  }
  return { context, requested, open };
}

const controlled = (page) =>
  page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });

async function waitReady(page) {
  await page.waitForFunction(() => window.nnplay?.ready);
  await page.evaluate(() => window.nnplay.ready);
}

// The playground trains: epochs pass and the loss is a number, as the page's status says.
async function playgroundTrains(page) {
  await page.click("#play");
  await page.waitForFunction(() => window.nnplay.metrics().epoch >= 20);
  const status = await page.textContent("#status");
  await page.click("#play");
  const { trainLoss, testLoss } = await page.evaluate(() => window.nnplay.metrics());
  assert.ok(Number.isFinite(trainLoss) && Number.isFinite(testLoss), `losses ${trainLoss}, ${testLoss}`);
  return status;
}

async function readsASeven(page) {
  await page.click("#digit-clear");
  await drawOnPad(page, DRAWN[7]);
  await page.waitForFunction(() => /\d/.test(document.getElementById("digit-prediction").textContent));
  return (await page.textContent("#digit-prediction")).match(/\d/)[0];
}

test("built_site_has_every_page_hashed_bundles_both_wasm_builds_models_and_mnist", () => {
  const files = new Set(site.files);
  for (const page of pages()) assert.ok(files.has(page), `${page} is not in dist/`);
  for (const pattern of [/^assets\/nnplay_wasm-[\w-]{8}\.wasm$/, /^assets\/nnplay_wasm_mt-[\w-]{8}\.wasm$/,
    /^assets\/nnplay_wasm_mt\.worker-[\w-]{8}\.js$/, /^assets\/nnplay_wasm_mt-[\w-]{8}\.js$/,
    /^models\/digits-cnn\.json$/, /^models\/digits-mlp\.json$/, /^build\/data\/breast-cancer\.csv$/,
    /^manifest\.webmanifest$/]) {
    assert.ok(site.files.some((file) => pattern.test(file)), `nothing in dist/ matches ${pattern}`);
  }
  // MNIST is in dist/ but kept by the service worker only once downloaded, not precached.
  assert.ok(!site.files.some((file) => file.startsWith("build/data/mnist")));
});

test("built_site_on_a_plain_static_server_trains_and_reads_digits_on_one_thread", async () => {
  const server = await pythonServer(site.outDir);
  const { context, requested, open } = await openContext();
  const wasmTypes = [];
  context.on("response", (response) => {
    if (response.url().endsWith(".wasm")) wasmTypes.push(response.headers()["content-type"]);
  });
  try {
    const playground = await open(server.url);
    assert.equal(await playground.evaluate(() => crossOriginIsolated), false);
    assert.match(await playgroundTrains(playground), /the core has 1 thread\)/);
    assert.deepEqual(playground.errors, []);

    const digits = await open(new URL("digits.html", server.url).href);
    assert.equal(await readsASeven(digits), "7");
    assert.deepEqual(digits.errors, []);

    const wasm = requested.filter((url) => url.endsWith(".wasm")).map((url) => url.replace(/^.*\//, ""));
    assert.ok(wasm.length > 0 && wasm.every((name) => /^nnplay_wasm-[\w-]{8}\.wasm$/.test(name)), wasm.join(" "));
    assert.ok(!requested.some((url) => /nnplay_wasm_mt/.test(url)), "the threaded build was loaded");
    assert.ok(wasmTypes.every((type) => type === "application/wasm"), wasmTypes.join(" "));
  } finally {
    await context.close();
    await server.stop();
  }
});

test("built_site_from_a_host_that_sends_the_thread_headers_trains_on_every_core", async () => {
  const host = await serve({ port: 0, isolated: true, root: site.outDir });  // what dist/_headers asks for
  const { context, requested, open } = await openContext();
  try {
    const playground = await open(host.url);
    const cores = await playground.evaluate(() => navigator.hardwareConcurrency);
    assert.match(await playgroundTrains(playground), new RegExp(`the core has ${Math.min(8, cores)} threads?\\)`));
    assert.ok(requested.some((url) => /nnplay_wasm_mt-[\w-]{8}\.wasm$/.test(url)), "the threaded build was not loaded");
    assert.deepEqual(playground.errors, []);
  } finally {
    await context.close();
    await new Promise((resolve) => host.server.close(resolve));
  }
});

test("every_built_page_opens_from_a_plain_static_server_without_an_error", async () => {
  const server = await pythonServer(site.outDir);
  const { context, open } = await openContext();
  try {
    for (const path of pages()) {
      const page = await open(new URL(path, server.url).href);  // CSP violations are console errors
      assert.deepEqual(page.errors, [], path);
      await page.close();
    }
  } finally {
    await context.close();
    await server.stop();
  }
});

test("built_site_opens_offline_after_a_first_visit_reads_a_digit_scores_mnist_and_trains", async () => {
  const server = await pythonServer(site.outDir);
  const { context, open } = await openContext();
  try {
    const digits = await open(new URL("digits.html", server.url).href);
    // The service worker installs (every precached file) and takes control of the page.
    await controlled(digits);
    // This visit, through the service worker, downloads MNIST, which the worker then keeps.
    await digits.reload();
    await waitReady(digits);
    const online = await digits.evaluate(() => window.nnplay.testAccuracy());

    await server.stop();
    await context.setOffline(true);
    await digits.reload();
    await waitReady(digits);
    assert.equal(await readsASeven(digits), "7");
    const offline = await digits.evaluate(() => window.nnplay.testAccuracy());
    assert.equal(offline.testAccuracy, online.testAccuracy);  // all 10,000 MNIST test digits, from the cache
    assert.deepEqual(digits.errors, []);

    const playground = await open(server.url);  // never visited: precached
    assert.match(await playgroundTrains(playground), /Training/);
    assert.deepEqual(playground.errors, []);
  } finally {
    await context.close();
    await server.stop();
  }
});

// Waits until check(scope) in the page is true, awaiting the promise it returns (waitForFunction
// takes a promise for true: its wait for an asynchronous check ends at once); a timeout says what
// did not happen and the state of the service worker at scope.
async function until(page, scope, what, check, timeout = 60_000) {
  for (const end = Date.now() + timeout; !(await page.evaluate(check, scope));) {
    if (Date.now() > end) assert.fail(`no ${what} after ${timeout / 1000} s: ${await serviceWorkerState(page, scope)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// For a failed check: the registration's workers, the page's controller, the caches and whether
// the cached index.html is a new release's (it has a "release" meta element).
const serviceWorkerState = (page, scope) => page.evaluate(async (scope) => {
  const registration = await navigator.serviceWorker.getRegistration(scope);
  const cached = await caches.match(new URL("index.html", scope));
  return JSON.stringify({ installing: registration?.installing?.state, waiting: registration?.waiting?.state,
    active: registration?.active?.state, controller: navigator.serviceWorker.controller?.state,
    caches: await caches.keys(), cachedIsNew: cached && (await cached.text()).includes('name="release"') });
}, scope);

test("a_new_release_takes_over_once_no_page_of_the_old_one_is_open_and_deletes_the_old_cache", async () => {
  const dir = tempDir("release");
  cpSync(site.outDir, dir, { recursive: true });
  const server = await pythonServer(dir);
  const { context, open } = await openContext();
  const release = (page) => page.locator('meta[name="release"]').count();
  try {
    const page = await open(server.url);
    await controlled(page);
    const [first] = await page.evaluate(() => caches.keys());

    // The next release: another index.html, so another version.
    const html = readFileSync(join(dir, "index.html"), "utf8");
    writeFileSync(join(dir, "index.html"), html.replace("<title>", '<meta name="release" content="2">\n<title>'));
    const worker = readFileSync(join(dir, "sw.js"), "utf8");
    writeFileSync(join(dir, "sw.js"), worker.replace(/^const VERSION = "(\w+)";/m, 'const VERSION = "$1-2";'));
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((registration) => registration.update()));
    await until(page, server.url, "new release installed", (scope) => navigator.serviceWorker.getRegistration(scope)
      .then((registration) => registration.waiting !== null && registration.installing === null));
    const second = `${first}-2`;
    // It installed beside the old one; while a page of the old release is open, a reload still
    // opens the old release, all of it.
    const installed = await page.evaluate(() => caches.keys());
    if (String(installed.sort()) !== String([first, second].sort()))
      assert.fail(`after the install: ${await serviceWorkerState(page, server.url)}`);
    await page.reload();
    await waitReady(page);
    assert.equal(await release(page), 0);
    await page.close();

    // No page of the old release open: the new one takes over and deletes the old cache.
    const outside = await context.newPage();
    await outside.goto(new URL("..", server.url).href);  // the host's root, outside the site's scope
    await until(outside, server.url, "new release active", (scope) => navigator.serviceWorker.getRegistration(scope)
      .then((registration) => !registration.waiting && registration.active?.state === "activated"));
    const next = await open(server.url);
    if (await release(next) !== 1) assert.fail(`the old release opened: ${await serviceWorkerState(next, server.url)}`);
    assert.deepEqual(await next.evaluate(() => caches.keys()), [second]);
    assert.deepEqual(next.errors, []);
  } finally {
    await context.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("built_site_is_installable_as_an_app", async () => {
  const profile = tempDir("profile");  // installing needs a profile: not an incognito context
  const context = await chromium.launchPersistentContext(profile, chromiumOptions());
  const server = await pythonServer(site.outDir);
  try {
    const page = await context.newPage();
    await page.goto(server.url);
    await controlled(page);
    const cdp = await context.newCDPSession(page);
    assert.deepEqual(await cdp.send("Page.getInstallabilityErrors"), { installabilityErrors: [] });
    const { errors } = await cdp.send("Page.getAppManifest");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
  }
});

test("npm_start_at_the_address_of_a_built_site_retires_its_service_worker_and_caches", async () => {
  const built = await serve({ port: 0, isolated: false, root: site.outDir });
  const { context, open } = await openContext();
  let dev = null;
  try {
    const page = await open(built.url);
    await controlled(page);
    await new Promise((resolve) => built.server.close(resolve));
    dev = await serve({ port: Number(new URL(built.url).port), isolated: false });  // web/, as npm start serves it
    // A load may still come from the built site's cache: the browser then updates the service
    // worker from the dev server, which retires it, and the page reloads from web/.
    await page.reload();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await page.evaluate(async () => ({ controlled: navigator.serviceWorker.controller !== null,
        registered: (await navigator.serviceWorker.getRegistration()) !== undefined, caches: await caches.keys(),
        unbundled: document.querySelector('script[src="playground/boot.js"]') !== null })).catch(() => null);
      if (state && !state.controlled && !state.registered && state.unbundled && state.caches.length === 0) break;
      assert.ok(Date.now() < deadline, `the built site's service worker stayed: ${JSON.stringify(state)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await context.close();
    await new Promise((resolve) => (dev ?? built).server.close(resolve));
  }
});
