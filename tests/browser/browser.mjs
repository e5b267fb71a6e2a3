// Shared setup for browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), against the static site served by scripts/serve.mjs on a free port.
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * A playground state that is not the default in every part that can differ: data, features,
 * network, loss, optimizer, regularization, initialization, seed and batch size.
 */
export const EDITED_PLAYGROUND = {
  data: { name: "moons", n: 240, noise: 0.2, trainRatio: 0.6, seed: 7 },
  features: ["x1", "x2", "x1x2"],
  config: {
    layers: [{ type: "dense", units: 6, activation: "relu" }, { type: "dense", units: 3, activation: "tanh" },
      { type: "dense", units: 1, activation: "sigmoid" }],
    loss: "bce", optimizer: { type: "sgd", lr: 0.1, momentum: 0.9 },
    regularization: { type: "l2", rate: 0.001 }, init: "he", seed: 12, batchSize: 8,
  },
};

/** Calls the page's test hook window.nnplay[name](...args) in a page or a frame. */
export const hooks = (target, name, ...args) =>
  target.evaluate(([n, a]) => window.nnplay[n](...a), [name, args]);

/** playwright's launch options for Debian's Chromium, headless (CHROMIUM_PATH overrides where it is). */
export const chromiumOptions = () => ({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: chromiumArgs });

export const launchChromium = () => chromium.launch(chromiumOptions());

/**
 * Starts the server and the browser. Returns { url, browser, newPage, close }; newPage(path)
 * opens a page, records console errors and page errors in page.errors, and waits for
 * window.nnplay.ready unless { ready: false } is passed. { timeout } sets the page's default
 * timeout (playwright's 30 s unless given), the wait for ready included; { before } is an async
 * function given the page before it is opened (to add init scripts or listeners);
 * { acceptDownloads } is playwright's (true unless given: downloads complete, into a temporary folder).
 */
export async function startBrowser({ isolated = true } = {}) {
  const { server, url } = await serve({ port: 0, isolated });
  const browser = await launchChromium();
  async function newPage(path = "", { ready = true, viewport = { width: 1280, height: 800 }, timeout, before,
    acceptDownloads } = {}) {
    const page = await browser.newPage({ viewport, acceptDownloads });
    if (timeout) page.setDefaultTimeout(timeout);
    page.errors = [];
    page.on("console", (m) => { if (m.type() === "error") page.errors.push(m.text()); });
    page.on("pageerror", (e) => page.errors.push(e.message));
    await before?.(page);
    await page.goto(new URL(path, url).href);
    if (ready) await page.waitForFunction(() => window.nnplay?.ready).then(() =>
      page.evaluate(() => window.nnplay.ready));
    return page;
  }
  async function close() {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return { url, browser, newPage, close };
}

/** Draws strokes (lists of [x, y] in the pad's 280 x 280 coordinates) on #digit-pad with the mouse. */
export async function drawOnPad(page, strokes) {
  const box = await page.locator("#digit-pad").boundingBox();
  const at = ([x, y]) => [box.x + x * box.width / 280, box.y + y * box.height / 280];
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (let i = 1; i < stroke.length; i++) {  // a mouse event every ~20 px, like a quick hand
      const steps = Math.ceil(Math.hypot(stroke[i][0] - stroke[i - 1][0], stroke[i][1] - stroke[i - 1][1]) / 20);
      await page.mouse.move(...at(stroke[i]), { steps });
    }
    await page.mouse.up();
  }
}
