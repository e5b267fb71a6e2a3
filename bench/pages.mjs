// The pages in headless Chromium (npm run bench): how soon each is interactive from localhost (as
// npm start serves web/, and the built site, dist/, as a static host serves it), and
// the playground's redraw rate and training speed while it trains spiral with an 8-8 tanh network
// on 500 points, at each play speed. Numbers from the page's own hooks (window.nnplay.perf() counts
// drawn frames, metrics() the epochs).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildSite } from "../scripts/build-site.mjs";
import { serve } from "../scripts/serve.mjs";
import { startBrowser } from "../tests/browser/browser.mjs";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PLAY_SECONDS = Number(process.env.BENCH_PAGE_SECONDS ?? 4);

const SPIRAL_8_8 = {
  data: { name: "spiral", n: 500, noise: 0, trainRatio: 0.5, seed: 1 },
  config: {
    layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 8, activation: "tanh" },
      { type: "dense", units: 1, activation: "sigmoid" }],
    optimizer: { type: "adam", lr: 0.01 },
  },
};

// Milliseconds from navigation start until window.nnplay.ready resolves, with an empty cache
// (a new browser context per load); the median of `loads`.
async function interactiveMs(browser, url, loads = 5) {
  const times = [];
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    times.push(await page.evaluate(() => new Promise((resolve, reject) => {
      const poll = () => (window.nnplay?.ready
        ? window.nnplay.ready.then(() => resolve(performance.now()), reject)
        : setTimeout(poll, 2));
      poll();
    })));
    await context.close();
  }
  return times.sort((a, b) => a - b)[times.length >> 1];
}

// Plays for PLAY_SECONDS at the speed chosen in #speed -> { fps, browser_fps, epochs_per_s }:
// frames the page drew, frames the browser showed (requestAnimationFrame ticks) in that time.
async function playRate(page, speed) {
  await page.evaluate(() => window.nnplay.reset());
  await page.selectOption("#speed", speed);
  await page.evaluate(() => window.nnplay.play());
  await page.waitForTimeout(500);  // past the first frames
  const sample = () => page.evaluate(() => ({ ...window.nnplay.perf(), epoch: window.nnplay.metrics().epoch,
    t: performance.now(), ticks: window.__ticks ?? 0 }));
  await page.evaluate(() => {
    if (window.__ticks !== undefined) return;
    window.__ticks = 0;
    const tick = () => { window.__ticks++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const before = await sample();
  await page.waitForTimeout(PLAY_SECONDS * 1000);
  const after = await sample();
  await page.evaluate(() => window.nnplay.pause());
  const s = (after.t - before.t) / 1000;
  return { fps: (after.frames - before.frames) / s, browser_fps: (after.ticks - before.ticks) / s,
    epochs_per_s: (after.epoch - before.epoch) / s };
}

// The digits page trains its CNN from the Train press until an epoch's test accuracy reaches
// `target` (or `maxEpochs` pass) -> { seconds, epoch, test_accuracy, threads, epochs: [...] }.
// Wall-clock seconds from the request, MNIST already loaded; the page is cross-origin isolated
// (every core) unless `isolated` is false.
export async function digitsCnnTo(browser, { target = 0.99, maxEpochs = 6 } = {}) {
  const page = await browser.newPage("digits.html");
  try {
    await page.evaluate(() => window.nnplay.testAccuracy());  // MNIST is here
    const began = Date.now();
    await page.evaluate((epochs) => { window.__training = window.nnplay.train({ model: "cnn", epochs }); }, maxEpochs);
    for (;;) {
      const progress = await page.evaluate(() => window.nnplay.training());
      const reached = progress.test.find((t) => t.testAccuracy >= target);
      const over = progress.state !== "waiting" && progress.state !== "running";
      if (reached || over) {
        const seconds = (Date.now() - began) / 1000;
        if (!over) await page.click("#train-stop");
        await page.evaluate(() => window.__training.catch(() => {}));
        const last = reached ?? progress.test.at(-1);
        return { seconds, epoch: last?.epoch ?? 0, test_accuracy: last?.testAccuracy ?? null,
          reached: Boolean(reached), threads: progress.threads, epochs: progress.test };
      }
      await page.waitForTimeout(200);
    }
  } finally {
    await page.close();
  }
}

/**
 * { interactive: [{ site, page, ms }], playground: [{ speed, fps, epochs_per_s }], digits_cnn }, or null
 * without Chromium. site: "web" (npm start: web/, cross-origin isolated), "dist" (the built site from
 * a host that sends no special headers: one thread) or "dist+isolation" (a host that sends dist/_headers).
 */
export async function measurePages() {
  if (!existsSync(chromiumPath)) return null;
  const env = await startBrowser();
  try {
    const interactive = [];
    const pages = ["", "digits.html"];
    for (const path of pages) {
      interactive.push({ site: "web", page: `/${path}`, ms: await interactiveMs(env.browser, new URL(path, env.url).href) });
    }
    // The site as npm run build makes it, built here into a folder of its own.
    const { outDir } = await buildSite({ outDir: mkdtempSync(join(tmpdir(), "nnplay-dist-")), quiet: true });
    try {
      for (const [site, isolated] of [["dist", false], ["dist+isolation", true]]) {
        const { server, url } = await serve({ port: 0, isolated, root: outDir });
        try {
          for (const path of pages) {
            interactive.push({ site, page: `/${path}`, ms: await interactiveMs(env.browser, new URL(path, url).href) });
          }
        } finally {
          await new Promise((resolve) => server.close(resolve));
        }
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    const page = await env.newPage("");
    await page.evaluate((state) => window.nnplay.setState(state), SPIRAL_8_8);
    const playground = [];
    for (const speed of ["10", "Infinity"]) playground.push({ speed, ...(await playRate(page, speed)) });
    if (page.errors.length) throw new Error(`the playground reported errors: ${page.errors.join("; ")}`);
    await page.close();
    const digitsCnn = await digitsCnnTo(env);
    return { interactive, playground, digits_cnn: digitsCnn };
  } finally {
    await env.close();
  }
}
