// Accessibility: an axe-core audit of every page at WCAG 2.1 AA (the tags wcag2a, wcag2aa,
// wcag21a, wcag21aa; no rule disabled) when it opens and again once it has trained and shows
// what its panels add; the digit pad drawn with the keyboard alone and read; what the pages'
// live regions announce (changes that matter, not every frame).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { hooks, startBrowser } from "./browser.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const TIMEOUT = { timeout: 300_000 };
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

// axe arrives as an init script (the DevTools protocol's, which the pages' CSP does not block),
// so the audit sees each page as it is served, its policy on.
const open = (path) => env.newPage(path, { timeout: 120_000, before: (page) => page.addInitScript({ path: AXE }) });
const until = (page, check, arg) => page.waitForFunction(check, arg, { timeout: 120_000 });

// The violations on the page now, one line each: rule, impact, and the first elements with why.
async function violations(page) {
  const found = await page.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } })
    .then(({ violations }) => violations.map(({ id, impact, nodes }) => `${id} (${impact}): ` + nodes.slice(0, 3)
      .map((n) => `${n.target.join(" ")} — ${n.failureSummary.replace(/\s+/g, " ")}`).join(" | "))), TAGS);
  return found;
}

async function audit(page, what) {
  assert.deepEqual(await violations(page), [], `axe violations on ${what}`);
}

// The pad drawn with the keyboard: Tab until the pad has the focus, then a vertical bar — the
// pen up 5 steps from the middle, down, 10 steps down, up.
async function drawOneWithKeys(page) {
  for (let i = 0; i < 40 && !await page.evaluate(() => document.activeElement?.id === "digit-pad"); i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "digit-pad", "Tab reaches the pad");
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Space");
  for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
}

test("digit_pad_draws_with_the_keyboard_alone_and_the_answer_is_announced", TIMEOUT, async () => {
  const page = await open("digits.html");
  await drawOneWithKeys(page);
  await until(page, () => /^\s*1/.test(document.getElementById("digit-prediction").textContent));
  // The visible pen: a ring where the keys left it (the middle, 5 steps up, 10 down: 70 px below it).
  const pen = await page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    const [ring, pad] = [box("digit-pen"), box("digit-pad")];
    return { shown: ring.width > 0, x: (ring.x + ring.width / 2 - pad.x) / pad.width,
      y: (ring.y + ring.height / 2 - pad.y) / pad.height };
  });
  assert.ok(pen.shown, "the pen's ring shows while the pad has the focus");
  assert.ok(Math.abs(pen.x - 0.5) < 0.01 && Math.abs(pen.y - 0.75) < 0.01, JSON.stringify(pen));
  // Announced once, when the stroke ended: the answer and how sure.
  assert.match(await page.textContent("#digit-announce"), /^The network reads 1, \d+% sure\.$/);
  // Esc clears the pad, from the keyboard too.
  await page.keyboard.press("Escape");
  await until(page, () => document.getElementById("digit-announce").textContent === "The pad is empty.");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("playground_plot_adds_a_point_from_the_keyboard", TIMEOUT, async () => {
  const page = await open("");
  for (let i = 0; i < 80 && !await page.evaluate(() => document.activeElement?.id === "heatmap"); i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "heatmap", "Tab reaches the plot");
  // The cursor starts in the middle; four steps right is (2, 0); Space adds a blue point there,
  // and does not play.
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Space");
  await until(page, () => /&pts=2,0,1(&|$)/.test(location.hash));
  for (let i = 0; i < 2; i++) await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  await until(page, () => /&pts=2,0,1(;|%3B)2,1,1(&|$)/.test(location.hash));
  assert.equal(await page.getAttribute("#play", "aria-pressed"), "false");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("lesson_training_announces_pause_and_done_not_every_epoch", TIMEOUT, async () => {
  const page = await open("lessons/002-xor.html");
  await page.fill("#epochs", "50");
  await page.dispatchEvent("#epochs", "change");
  await page.click("#restart");
  await until(page, () => document.getElementById("play").textContent === "Done");
  assert.equal(await page.textContent("#play-status"), "Done: trained 50 epochs.");
  assert.equal(await page.getAttribute("#play-status", "role"), "status");
  assert.deepEqual(page.errors, []);
  await page.close();
});

// Per page: what it does before the second audit (trained, panels open), when that adds content.
const PAGES = {
  "": async (page) => {
    await hooks(page, "step", 30);
    await page.selectOption("#add-class", "inspect");
    const box = await page.locator("#heatmap").boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await until(page, () => document.getElementById("probe-x1").value !== "");
    await page.selectOption("#probe-neuron", { index: 1 });
    await until(page, () => document.querySelector("#neuron-details table") !== null);
    await page.click("#landscape-compute");
    await until(page, () => /Loss landscape at epoch/.test(document.getElementById("status").textContent));
    await page.click("#share");
    await page.click("#make-challenge");
    await until(page, () => !document.getElementById("challenge-link-row").hidden);
    await page.click("#play");
    await until(page, () => window.nnplay.metrics().epoch >= 60);
    await hooks(page, "pause");
  },
  "digits.html": async (page) => {
    await drawOneWithKeys(page);
    await until(page, () => /\d/.test(document.getElementById("digit-prediction").textContent) &&
      !document.getElementById("occlusion").hidden);
    await page.evaluate(() => { window.__training = window.nnplay.train({ model: "mlp30", epochs: 1 }); });
    await until(page, () => document.getElementById("train-progress").value > 0);
    await page.click("#train-stop");
    await page.evaluate(() => window.__training);
  },
  "xor.html": async (page) => {
    await page.click("#play");
    await until(page, () => Number(document.getElementById("epoch").textContent) >= 1000);
  },
  "lessons/": null,
  "lessons/000-moons.html": (page) => until(page, () => Number(document.getElementById("epoch").textContent) >= 5),
  "lessons/001-breast-cancer.html": async (page) => {
    await until(page, () => /evaluations/.test(document.getElementById("landscape-status").textContent));
    await page.click("#run-path");
  },
  "lessons/002-xor.html": async (page) => {
    await until(page, () => Number(document.getElementById("epoch").textContent) >= 5);
    await page.click("#one-step");
  },
  "lessons/003-neuron.html": async (page) => {
    await page.click("#train-again");
    await until(page, () => /^Trained/.test(document.getElementById("train-status").textContent));
  },
  "lessons/004-backprop.html": async (page) => {
    await page.click("#take-step");
    await page.click("#take-step");
  },
  "embed.html": async (page) => {
    await page.click("#step");
    await page.click("#play");
    await until(page, () => window.nnplay.metrics().epoch >= 30);
    await hooks(page, "pause");
  },
};

for (const [path, exercise] of Object.entries(PAGES)) {
  test(`${(path || "playground").replace(/\W+/g, "_")}_has_no_wcag_21_aa_violations`, TIMEOUT, async () => {
    const page = await open(path);
    await audit(page, `/${path} as it opens`);
    if (exercise) {
      await exercise(page);
      await audit(page, `/${path} after training, its panels open`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test("pages_with_a_bad_hash_show_their_alert_without_wcag_violations", TIMEOUT, async () => {
  for (const path of ["#v=1&lr=fast", "digits.html#v=1&model=nonsense", "embed.html#v=1&lr=fast"]) {
    const page = await open(path);
    await until(page, () => document.querySelector('[role="alert"]:not([hidden])') !== null);
    await audit(page, `/${path}`);
    await page.close();
  }
});
