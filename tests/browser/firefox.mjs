// The second engine for browser tests: Debian's Firefox ESR driven by puppeteer-core over
// WebDriver BiDi (playwright's Firefox needs a patched build of its own), against the static site
// served by scripts/serve.mjs on a free port. The same shape as browser.mjs's startBrowser.
import puppeteer from "puppeteer-core";
import { serve } from "../../scripts/serve.mjs";

// Resolves once the page's window.nnplay.ready has. Polled in the page, not with
// page.waitForFunction: puppeteer builds that poller with new Function, which the pages' policy
// (no 'unsafe-eval') blocks in Firefox.
export const untilReady = (page) => page.evaluate(async () => {
  while (!window.nnplay?.ready) await new Promise((resolve) => { setTimeout(resolve, 20); });
  await window.nnplay.ready;
});

/**
 * Starts the server and Firefox. Returns { url, browser, newPage, close }; newPage(path) opens a
 * page, records console errors and page errors in page.errors (over BiDi, Firefox reports
 * uncaught errors, its workers' included, and Content-Security-Policy violations as page
 * errors), and waits for window.nnplay.ready unless { ready: false } is passed (then
 * untilReady(page) does). { timeout } sets the page's default timeout (puppeteer's 30 s unless
 * given), for page.goto too.
 */
export async function startFirefox() {
  const { server, url } = await serve({ port: 0 });
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr",
    headless: true,
    defaultViewport: null,
  });
  async function newPage(path = "", { ready = true, viewport = { width: 1280, height: 800 }, timeout } = {}) {
    const page = await browser.newPage();
    await page.setViewport(viewport);
    if (timeout) page.setDefaultTimeout(timeout);
    page.errors = [];
    page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
    page.on("pageerror", (e) => page.errors.push(e.message));
    await page.goto(new URL(path, url).href);
    if (ready) await untilReady(page);
    return page;
  }
  async function close() {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return { url, browser, newPage, close };
}
