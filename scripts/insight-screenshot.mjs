// Writes docs/playground-insight.png, the README's picture of the playground explaining
// itself: the neuron view, the gradient flow and the loss landscape, mid-training.
// Run: node scripts/insight-screenshot.mjs (needs the built site and Debian's Chromium).
import { startBrowser } from "../tests/browser/browser.mjs";

const env = await startBrowser();
try {
  const page = await env.newPage("#v=1&data=circle&noise=0.1&h=4:relu,3:tanh&opt=momentum&lr=0.03",
    { viewport: { width: 1280, height: 1300 } });
  const hooks = (name, ...args) => page.evaluate(([n, a]) => window.nnplay[n](...a), [name, args]);
  await hooks("step", 150);
  await page.fill("#probe-x1", "1.4");
  await page.fill("#probe-x2", "0.9");
  await page.fill("#probe-label", "1");
  await page.dispatchEvent("#probe-label", "change");
  await page.selectOption("#probe-neuron", "1:1");
  await page.click("#landscape-compute");
  await hooks("step", 5);
  await page.waitForFunction(() => /^Epoch 150/.test(document.getElementById("landscape-note").textContent));
  const boxes = await Promise.all(["section.neuron", "section.flow", "section.landscape"].map((s) =>
    page.locator(s).boundingBox()));
  const top = Math.min(...boxes.map((b) => b.y)), bottom = Math.max(...boxes.map((b) => b.y + b.height));
  const left = Math.min(...boxes.map((b) => b.x)), right = Math.max(...boxes.map((b) => b.x + b.width));
  await page.screenshot({ path: "docs/playground-insight.png",
    clip: { x: left - 4, y: top - 4, width: right - left + 8, height: bottom - top + 8 } });
  if (page.errors.length) throw new Error(page.errors.join("\n"));
} finally {
  await env.close();
}
