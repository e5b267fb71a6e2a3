// Every page under a restless user (monkey.mjs): about two hundred seeded random actions on every
// control it shows, junk in every field, junk files, junk hashes, actions racing each other;
// then the page must still be healthy: (a) no page errors or console errors, (b) no internal
// error text shown to the user, (c) it still computes (a probe per page, below).
//
// A failure names its seed, the page and the actions that led to each problem; run the same
// sequence again with MONKEY_SEED=<seed> node --test --test-name-pattern=<test name>
// tests/browser/random-interaction.test.mjs, other seeds and longer runs (MONKEY_ACTIONS=1000)
// to hunt for more. No timing assertions: the waits between actions only vary what races what.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBrowser } from "./browser.mjs";
import { JUNK_HASHES, Monkey } from "./monkey.mjs";

const SEED = Number(process.env.MONKEY_SEED ?? 1);
// Actions per page unless given: the whole file stays within about 3 minutes on a busy
// 2-core machine (bursts add about 15% more).
const ACTIONS = process.env.MONKEY_ACTIONS ? Number(process.env.MONKEY_ACTIONS) : null;
const TIMEOUT = 60_000;  // for a probe's wait on a busy 2-core machine; nothing asserts on time
const SETTLE_MS = 1000;

// Internal errors that must never reach the user's eyes.
const INTERNAL = new RegExp(["Cannot read prop", "undefined", "is not a function", "is not defined", "was deleted",
  "TypeError", "RangeError", "ReferenceError", "SyntaxError", "RuntimeError", "\\[object ", "Aborted\\(",
  "out of bounds", "unreachable"].join("|"));
const internal = (text) => INTERNAL.test(text);
// Console errors that are expected behaviour, each with its reason: [exact message, why]. None:
// no page logs an error on purpose.
const EXPECTED_CONSOLE_ERRORS = [];

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

const number = async (page, selector) => Number(await page.textContent(selector));
// A float32 result the core computed, to the reference's 7 decimals (lessons.test.mjs is exact).
function near(got, expected, what) {
  assert.ok(Math.abs(got - expected) < 2e-7, `${what}: got ${got}, expected ${expected}`);
}
// Waits for check(arg) in the page; a timeout says what did not happen.
async function until(page, what, check, arg) {
  try {
    await page.waitForFunction(check, arg, { timeout: TIMEOUT });
  } catch (error) {
    throw new Error(`${what} (${error.message.split("\n")[0]})`);
  }
}
// Lessons 000 and 002: valid choices, `epochs` epochs, Start over, and they all train.
async function trainsAfterStartOver(page, choices, epochs) {
  for (const [selector, option] of Object.entries(choices)) await page.selectOption(selector, option);
  await enter(page, "#epochs", String(epochs));
  await page.click("#restart");
  await until(page, `${epochs} epochs trained after Start over`, (n) =>
    document.getElementById("epoch").textContent === n && document.getElementById("play").textContent === "Done",
  String(epochs));
}

// A field set as a user would leave it: typed, then left (input and change).
async function enter(page, selector, value) {
  await page.fill(selector, value);
  await page.dispatchEvent(selector, "change");
}

// A stroke down the middle of a 28 x 28 picture (columns 12-15, rows 4-23): a 1 to the network.
const STROKE_28 = Array.from({ length: 28 * 28 }, (_, i) =>
  (i % 28 >= 12 && i % 28 <= 15 && i >= 4 * 28 && i < 24 * 28 ? 255 : 0));

// Per page: its path, the hashes it reads, how many actions (more where there are more
// controls), what to remember before the actions, and the probe that proves it still computes
// afterwards (valid inputs back, its own button, its own result).
const PAGES = [
  { name: "playground", path: "", hashes: JUNK_HASHES, actions: 200,
    remember: (page) => page.evaluate(() => window.nnplay.state()),
    probe: async (page, defaults) => {
      await page.evaluate((state) => window.nnplay.setState(state), defaults);
      const { epoch } = await page.evaluate(() => window.nnplay.reset());
      const after = await page.evaluate(() => window.nnplay.step(1));
      assert.equal(after.epoch, epoch + 1, "step(1) after reset trains one epoch");
    } },
  { name: "embed", path: "embed.html", hashes: JUNK_HASHES, actions: 80,
    remember: (page) => page.evaluate(() => window.nnplay.state()),
    probe: async (page, defaults) => {
      await page.evaluate(() => { location.hash = ""; });
      await until(page, "the default playground again", (state) =>
        JSON.stringify(window.nnplay.state()) === state, JSON.stringify(defaults));
      const { epoch } = await page.evaluate(() => window.nnplay.reset());
      const after = await page.evaluate(() => window.nnplay.step(1));
      assert.equal(after.epoch, epoch + 1, "step(1) after reset trains one epoch");
    } },
  { name: "digits", path: "digits.html", hashes: JUNK_HASHES, actions: 200,
    probe: async (page) => {
      const { label } = await page.evaluate((gray) => window.nnplay.classify(new Uint8Array(gray), 28, 28), STROKE_28);
      assert.ok(Number.isInteger(label) && label >= 0 && label <= 9, `classify gave the label ${label}`);
      await page.click("#digit-clear");
      await page.locator("#digit-pad").scrollIntoViewIfNeeded();
      const box = await page.locator("#digit-pad").boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 10 });
      await page.mouse.up();
      await until(page, "a stroke drawn on the pad gets a digit", () =>
        /\d/.test(document.getElementById("digit-prediction").textContent));
    } },
  { name: "lessons index", path: "lessons/", actions: 60,  // links only: keys and drops
    probe: async (page) => assert.equal(await page.locator("main li a[href$='.html']").count(), 5) },
  { name: "lesson 000-moons", path: "lessons/000-moons.html", actions: 150,
    probe: (page) => trainsAfterStartOver(page, { "#hidden": { index: 0 }, "#lr": "0.01", "#batch": "32" }, 3) },
  { name: "lesson 001-breast-cancer", path: "lessons/001-breast-cancer.html", actions: 150,
    probe: async (page) => {
      await page.selectOption("#slice-kind", "random");
      await page.selectOption("#span", "1");
      await enter(page, "#path-steps", "10");
      await enter(page, "#iterations", "20");  // a change trains again
      await until(page, "20 iterations, the landscape and a 10-step path", () =>
        document.getElementById("iteration").textContent === "20" &&
        /^961 evaluations/.test(document.getElementById("landscape-status").textContent) &&
        / after 10 steps/.test(document.getElementById("paths").textContent));
    } },
  { name: "lesson 002-xor", path: "lessons/002-xor.html", actions: 150,
    probe: (page) => trainsAfterStartOver(page, { "#hidden-units": "3", "#lr": "0.1" }, 50) },
  { name: "lesson 003-neuron", path: "lessons/003-neuron.html", actions: 150,
    probe: async (page) => {
      for (const [id, value] of Object.entries({ "n-w1": "0", "n-w2": "1", "n-b": "4", "n-x1": "2", "n-x2": "3" })) {
        await page.fill(`#${id}`, value);
      }
      near(await number(page, "#neuron-out"), 0.9990889, "the tutorial's neuron");
      await page.selectOption("#train-lr", "0.1");
      await enter(page, "#train-epochs", "40");
      await page.click("#train-again");
      await until(page, "40 epochs trained after Train again", () =>
        document.getElementById("train-status").textContent === "Trained 40 epochs.");
    } },
  { name: "lesson 004-backprop", path: "lessons/004-backprop.html", actions: 150,
    probe: async (page) => {
      await page.click("#tutorial-values");
      near(await number(page, "#cost-before"), 0.0111645, "the tutorial's cost");
      await page.click("#take-step");
      near(await number(page, "#cost-before"), 0.0110959, "the cost after one step");
    } },
  { name: "xor", path: "xor.html", actions: 120,
    probe: async (page) => {
      await page.click("#reset");
      await page.click("#play");
      await until(page, "1000 epochs trained after Reset and Train", () =>
        document.getElementById("epoch").textContent === "1000");
    } },
];

const testName = (name) => `random_actions_leave_${name.replace(/\W+/g, "_")}_healthy`;

function report(name, path, monkey) {
  const lines = [`${monkey.problems.length} problem(s) on ${name} (/${path}) after ${monkey.actions} random actions, ` +
    `seed ${SEED} (MONKEY_SEED=${SEED} node --test --test-name-pattern='${testName(name)}' ` +
    "tests/browser/random-interaction.test.mjs):"];
  monkey.problems.forEach(({ text, action, count }, i) => {
    lines.push(`${i + 1}. ${text.slice(0, 400)}${count > 1 ? ` (${count} times)` : ""}`);
    const context = i < 3 && action !== null;
    lines.push(`   first seen ${action === null ? "in the checks after the actions" : `after action #${action}`}` +
      `${context ? "; the actions up to it:" : ""}`);
    if (context) lines.push(...monkey.actionsUpTo(action).map((l) => `     ${l}`));
  });
  lines.push("The last 15 actions:", ...monkey.actionsUpTo(monkey.actions).map((l) => `     ${l}`));
  return lines.join("\n");
}

for (const { name, path, hashes = [], actions, remember, probe } of PAGES) {
  test(testName(name), { timeout: 240_000 }, async () => {
    if (!env.browser.isConnected()) {  // an earlier page took the browser down: that test says so
      await env.close().catch(() => {});
      env = await startBrowser();
    }
    const page = await env.newPage(path, { timeout: TIMEOUT, acceptDownloads: true });
    const monkey = new Monkey(page, SEED, { hashes });
    const step = async (what, work) => {
      try {
        await work();
      } catch (error) {
        const browser = env.browser.isConnected() ? "" : " (the browser has closed)";
        monkey.record(`${what}: ${error.message.split("\n")[0]}${browser}`);
      }
    };
    let start;
    await step("the page could not be read before the actions", async () => { start = await remember?.(page); });
    await step("the actions stopped", () => monkey.run(ACTIONS ?? actions, internal));
    await step("the checks failed", async () => {
      await page.waitForTimeout(SETTLE_MS);
      monkey.collectErrors();
      await monkey.look(internal);
    });
    await step("the page no longer answers", () => probe(page, start));
    await step("the checks failed", async () => {
      monkey.collectErrors();
      await monkey.look(internal);
    });
    monkey.problems = monkey.problems.filter(({ text }) =>
      !EXPECTED_CONSOLE_ERRORS.some(([message]) => text === `page error: ${message}`));
    await page.close().catch(() => {});
    if (monkey.problems.length) assert.fail(report(name, path, monkey));
  });
}
