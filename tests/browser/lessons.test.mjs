// The lesson pages (issue 9): each opens from its URL without console errors and shows the
// numbers of its tutorial, computed by the core in the page; window.nnplay.lessons() on the
// playground lists them. Reference numbers: the tutorials'.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBrowser } from "./browser.mjs";

const LESSONS = ["000-moons", "001-breast-cancer", "002-xor", "003-neuron", "004-backprop"];
const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; object-src 'none'; " +
  "base-uri 'none'; form-action 'none'";
const TIMEOUT = 120_000;  // a busy 2-core machine; nothing here asserts on time

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

const open = (path, options = {}) => env.newPage(path, { timeout: TIMEOUT, ...options });
const number = async (page, id) => Number((await page.textContent(`#${id}`)).trim());
// The text of a float32 result has at least 7 significant digits (leading zeros do not count).
const significantDigits = (text) => text.replace(/^[-+]?0*\.?0*/, "").replace(/\D/g, "").length;

// The reference numbers have 7 decimals; the core computes in float32, which adds its own rounding.
function assertReference(got, expected, what) {
  assert.ok(Math.abs(got - expected) <= 0.5e-7 + 2e-7 * Math.abs(expected),
    `${what}: got ${got}, expected ${expected}`);
}

test("playground_lessons_lists_the_five_lessons_with_working_urls", async () => {
  const page = await open("");
  const lessons = await page.evaluate(() => window.nnplay.lessons());
  assert.deepEqual(lessons.map((l) => l.id), LESSONS);
  for (const { id, title, url } of lessons) {
    assert.ok(title.length > 10, `${id} has a title`);
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    const html = await response.text();
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${POLICY}">`), `${id}: CSP meta`);
    assert.match(html, new RegExp(`<script type="module" src="${id}\\.js"></script>`));
  }
  // The header link leads to the index, which links every lesson.
  await page.click("header >> text=Lessons");
  await page.waitForSelector("#lesson-list li");
  const links = await page.$$eval("#lesson-list a", (as) => as.map((a) => a.href));
  assert.deepEqual(links, lessons.map((l) => l.url));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_page_header_links_to_the_lessons", async () => {
  const html = await (await fetch(new URL("digits.html", env.url))).text();
  assert.match(html, /<a href="lessons\/">Lessons<\/a>/);
});

test("lesson_004_shows_every_step_number_to_seven_digits", async () => {
  const page = await open("lessons/004-backprop.html");
  const expected = {
    "v-z1": 1.124, "v-a1": 0.7547299, "v-z2": 1.7390883, "v-a2": 0.8505712,
    "v-db2": -0.0189924, "v-dw2": -0.0143341, "v-da1": -0.0465313, "v-db1": -0.0086135,
    "v-dw1": -0.0068908, "v-cost": 0.0111645, "v-cost-new": 0.0110959,
    "cost-before": 0.0111645, "cost-after": 0.0110959,
  };
  for (const [id, value] of Object.entries(expected)) {
    const text = (await page.textContent(`#${id}`)).trim();
    assert.ok(significantDigits(text) >= 7, `${id} shows ${text}`);
    assertReference(Number(text), value, id);
  }
  // The updated parameters are the tutorial's step: b2 - 0.1 * dC/db2 and so on.
  assertReference(await number(page, "v-b2-new"), -0.1081008, "updated b2");
  assertReference(await number(page, "v-w1-new"), 1.5806891, "updated w1");
  // The MNIST part shows the untrained network's 30 hidden units and its answers to noise.
  assert.equal(await page.locator("#hidden-units figure").count(), 30);
  assert.ok(await page.locator("#noise figure").count() > 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("lesson_004_recomputes_when_a_value_is_edited", async () => {
  const page = await open("lessons/004-backprop.html");
  const before = await page.textContent("#cost-after");
  await page.fill("#in-x", "0.5");
  // z1 = w1 x + b1 = 1.58 * 0.5 - 0.14
  assertReference(await number(page, "v-z1"), 0.65, "z1 at x = 0.5");
  await page.fill("#in-x", "0.8");
  await page.fill("#in-lr", "1");
  assert.equal(await page.textContent("#cost-before"), await page.textContent("#v-cost"));
  assert.notEqual(await page.textContent("#cost-after"), before);
  assert.ok(await number(page, "cost-after") < await number(page, "cost-before"));
  // Taking the step moves the weights into the inputs: the new cost is the old "after".
  const [after, w1] = [await page.textContent("#cost-after"), await page.textContent("#v-w1-new")];
  await page.click("#take-step");
  assert.equal(await page.textContent("#cost-before"), after);
  assert.equal(await page.inputValue("#in-w1"), w1);
  assert.equal(await page.textContent("#step-count"), "1 step taken from the values you set.");
  // A bad value says which field, and clears the numbers; the tutorial's values come back.
  await page.fill("#in-w2", "");
  assert.match(await page.textContent("#lesson-error"), /w₂: expected a number/);
  assert.equal(await page.textContent("#v-z2"), "–");
  await page.click("#tutorial-values");
  assert.equal(await page.isHidden("#lesson-error"), true);
  assertReference(await number(page, "cost-before"), 0.0111645, "cost with the tutorial's values");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("lesson_003_shows_the_neuron_the_network_alice_emily_and_frank", async () => {
  const page = await open("lessons/003-neuron.html");
  assertReference(await number(page, "neuron-out"), 0.9990889, "neuron");
  assertReference(await number(page, "net-out"), 0.7216326, "2-2-1");
  assert.ok(Math.abs(await number(page, "alice-pred") - 0.524) < 0.0005, "Alice's y_pred");
  assert.ok(Math.abs(await number(page, "alice-dw1") - 0.0214) < 0.0001, "dL/dw1");
  await page.waitForFunction(() => document.getElementById("emily").textContent !== "", null, { timeout: TIMEOUT });
  assert.equal(await page.textContent("#train-epoch"), "1000");
  const [emily, frank] = [await number(page, "emily"), await number(page, "frank")];
  assert.ok(emily > 0.9, `Emily ${emily}`);
  assert.ok(frank < 0.1, `Frank ${frank}`);
  // Editing the neuron recomputes it: w = [0, 1], b = 0 on [2, 3] gives sigmoid(3).
  await page.fill("#n-b", "0");
  assert.equal(await page.textContent("#neuron-z"), "3.000000");
  assertReference(await number(page, "neuron-out"), 1 / (1 + Math.exp(-3)), "sigmoid(3)");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("lesson_002_trains_xor_and_shows_one_sample_forward_and_backward", async () => {
  const page = await open("lessons/002-xor.html");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Done", null, { timeout: TIMEOUT });
  assert.ok(await number(page, "error") < 0.01);
  const rounded = await page.$$eval("#outputs tr", (rows) => rows.map((r) => r.lastChild.textContent));
  assert.deepEqual(rounded, ["0", "1", "1", "0"]);
  // input, FC 2->3, tanh, FC 3->1, tanh, MSE
  assert.equal(await page.locator("#diagram .layer-box").count(), 6);
  assert.equal(await page.locator("#diagram .values-list.backward").count(), 4);
  await page.check("input[name=sample][value='3']");
  assert.match(await page.textContent("#diagram-note"), /^Sample 4 of 4 after epoch 1000:/);
  await page.click("#one-step");
  assert.match(await page.textContent("#diagram-note"), /after epoch 1000 and 1 step by hand/);
  // No hidden layer: one FC layer and its tanh.
  await page.selectOption("#hidden-units", "0");
  assert.equal(await page.locator("#diagram .layer-box").count(), 4);
  assert.match(await page.getAttribute("#playground-link", "href"), /#v=1&data=xor&.*&h=&out=tanh&loss=mse/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("lesson_000_learns_the_moons_to_95_percent_and_links_the_playground", async () => {
  const page = await open("lessons/000-moons.html");
  await page.waitForFunction(() => document.getElementById("play").textContent === "Done", null, { timeout: TIMEOUT });
  assert.equal(await page.textContent("#epoch"), "100");
  const accuracy = Number((await page.textContent("#test-accuracy")).replace("%", ""));
  assert.ok(accuracy >= 95, `test accuracy ${accuracy}%`);
  assert.deepEqual(await page.$$eval("#filmstrip figcaption", (c) => c.map((e) => e.textContent)),
    ["epoch 0", "epoch 1", "epoch 5", "epoch 20", "epoch 50", "epoch 100"]);
  // The playground opens the same network and data from the lesson's link.
  const link = await page.getAttribute("#playground-link", "href");
  const playground = await open(link.replace(env.url, ""));
  const state = await playground.evaluate(() => window.nnplay.state());
  assert.deepEqual(state.config.layers.map((l) => `${l.units}:${l.activation}`),
    ["25:relu", "50:relu", "50:relu", "25:relu", "1:sigmoid"]);
  assert.deepEqual(state.data, { name: "moons", n: 1000, noise: 0.2, trainRatio: 0.9, seed: 1 });
  assert.deepEqual([page.errors, playground.errors], [[], []]);
  await playground.close();
  await page.close();
});

test("lesson_001_draws_the_loss_landscape_and_optimizer_paths", async () => {
  const page = await open("lessons/001-breast-cancer.html");
  const pathDone = (k) => page.waitForFunction((k) => {
    const items = document.querySelectorAll("#paths li");
    return items.length === k && items[k - 1].textContent.includes(" steps");
  }, k, { timeout: TIMEOUT });
  await pathDone(1);
  const accuracy = Number((await page.textContent("#test-accuracy")).replace("%", ""));
  assert.ok(accuracy > 90, `test accuracy ${accuracy}%`);
  assert.ok(await number(page, "loss-low") < await number(page, "loss-high"));
  assert.match(await page.textContent("#landscape-status"), /^961 evaluations of the loss/);
  // Momentum on: a second path, from the same start, with its own label and losses.
  await page.check("#momentum");
  await page.click("#run-path");
  await pathDone(2);
  const legend = await page.$$eval("#paths li", (items) => items.map((li) => li.textContent));
  assert.match(legend[0], /^rate 3, plain: loss \d\.\d{3} → \d\.\d{3} after 100 steps/);
  assert.match(legend[1], /^rate 3, momentum: loss \d\.\d{3} → \d\.\d{3} after 100 steps/);
  // Keyboard: the map takes the arrow keys (start point) and Enter (run).
  await page.focus("#landscape");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await pathDone(3);
  // Two single weights: a new slice, its own grid, and a first path again.
  await page.selectOption("#slice-kind", "weights");
  assert.equal(await page.isVisible("#weight-a"), true);
  await pathDone(1);
  assert.match(await page.textContent("#axis-note"), /^Across: “output ← hidden unit \d+”, up: “output ← hidden unit \d+”/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("every_lesson_fits_a_phone_without_errors", async () => {
  for (const path of ["lessons/", ...LESSONS.map((id) => `lessons/${id}.html`)]) {
    const page = await open(path, { viewport: { width: 390, height: 844 } });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} is ${overflow} px too wide for a phone`);
    assert.ok(await page.locator("#lesson-nav a, #lesson-list a").count() > 0, `${path} links the lessons`);
    assert.deepEqual(page.errors, [], path);
    await page.close();
  }
});
