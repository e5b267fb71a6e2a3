// The 2-D playground (web/index.html) through its window.nnplay hooks and ids (docs/API.md).
// No timing assertions: training is driven by step(k), which resolves after exactly k epochs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EDITED_PLAYGROUND as EDITED, hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 240_000 };
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

// Opens the playground with generous timeouts: the machine running the tests may be slow and busy.
async function open(hash) {
  const page = await env.newPage(hash, { ready: false });
  page.setDefaultTimeout(120_000);
  await page.waitForFunction(() => window.nnplay?.ready);
  await page.evaluate(() => window.nnplay.ready);
  return page;
}

test("playground_trains_spiral_to_high_accuracy", TIMEOUT, async () => {
  const page = await open("");
  await hooks(page, "setState", {
    data: { name: "spiral", noise: 0 },
    features: ["x1", "x2", "sinx1", "sinx2"],
    config: { layers: [{ type: "dense", units: 8, activation: "tanh" }, { type: "dense", units: 8, activation: "tanh" },
      { type: "dense", units: 1, activation: "sigmoid" }], optimizer: { type: "adam", lr: 0.01 } },
  });
  let metrics;
  for (let round = 0; round < 8; round++) {
    metrics = await hooks(page, "step", 100);
    if (metrics.testAccuracy >= 0.95) break;
  }
  assert.ok(metrics.trainAccuracy >= 0.95 && metrics.testAccuracy >= 0.95, JSON.stringify(metrics));
  assert.equal(metrics.epoch % 100, 0);
  assert.ok(metrics.step > metrics.epoch, "several optimizer steps per epoch");
  assert.equal(await page.textContent("#epoch"), String(metrics.epoch));
  assert.equal(await page.getAttribute("#alert", "hidden"), "");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the_batch_norm_switch_works_from_the_keyboard_and_the_page_trains_the_lesson_network", TIMEOUT, async () => {
  const page = await open("#v=1&h=4:tanh,2:tanh");
  const box = page.getByRole("checkbox", { name: "batch norm in hidden layer 2" });
  await box.focus();
  await page.keyboard.press("Space");
  await page.waitForFunction(() => window.nnplay.state().config.layers.length === 4);
  assert.deepEqual((await hooks(page, "state")).config.layers.map((l) => `${l.type}:${l.activation}`),
    ["dense:tanh", "dense:linear", "batchnorm:tanh", "dense:sigmoid"]);
  assert.match(page.url(), /&h=4:tanh,2:tanh:bn&/);
  assert.ok(await box.isChecked());
  // The README's lesson: 6 sigmoid layers with batch norm on spiral, at 95 % by epoch 84 as in Node.
  const lesson = await open("#v=1&data=spiral&n=1000&f=x1,x2,sinx1,sinx2&lr=0.1&bs=50&h=" +
    Array(6).fill("8:sigmoid:bn").join(","));
  let metrics = await hooks(lesson, "step", 83);
  assert.ok(metrics.testAccuracy < 0.95, JSON.stringify(metrics));
  metrics = await hooks(lesson, "step", 1);
  assert.ok(metrics.testAccuracy >= 0.95, JSON.stringify(metrics));
  await hooks(lesson, "inspect", { x1: 1, x2: -1, label: 1 });
  assert.deepEqual([...page.errors, ...lesson.errors], []);
  await page.close();
  await lesson.close();
});

test("shared_url_gives_identical_state_and_metrics_in_another_page", TIMEOUT, async () => {
  const first = await open("");
  await hooks(first, "setState", EDITED);
  // A clicked point joins the training data and the link.
  const box = await first.locator("#heatmap").boundingBox();
  await first.mouse.click(box.x + box.width * 0.75, box.y + box.height * 0.25);
  await first.waitForFunction(() => location.hash.includes("&pts=") && !location.hash.endsWith("pts="));
  const initial = await hooks(first, "metrics");
  const afterSteps = await hooks(first, "step", 25);
  const url = await hooks(first, "shareUrl");
  assert.match(url, /#v=1&data=moons&n=240&/);
  assert.ok(!url.includes("&w="), "no weights unless asked for");

  const second = await open(url.slice(url.indexOf("#")));
  assert.deepEqual(await hooks(second, "state"), await hooks(first, "state"));
  assert.deepEqual(await hooks(second, "metrics"), initial);
  assert.deepEqual(await hooks(second, "step", 25), afterSteps);

  // Reset with the same seed replays the same run, chunked differently (step 10 + 15).
  await hooks(first, "reset");
  assert.equal((await hooks(first, "metrics")).epoch, 0);
  await hooks(first, "step", 10);
  assert.deepEqual(await hooks(first, "step", 15), afterSteps);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await first.close();
  await second.close();
});

test("shared_url_with_weights_reopens_the_trained_network", TIMEOUT, async () => {
  const first = await open("");
  await hooks(first, "setState", EDITED);
  const trained = await hooks(first, "step", 20);
  await first.check("#share-weights");
  const url = await hooks(first, "shareUrl");
  assert.match(url, /&w=[A-Za-z0-9_-]+$/);
  const second = await open(url.slice(url.indexOf("#")));
  const opened = await hooks(second, "metrics");
  assert.equal(opened.epoch, 0);
  for (const key of ["trainLoss", "testLoss", "trainAccuracy", "testAccuracy"]) assert.equal(opened[key], trained[key], key);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await first.close();
  await second.close();
});

test("bad_hashes_show_an_alert_and_a_working_default_page", TIMEOUT, async () => {
  const page = await open("");
  const defaults = await hooks(page, "state");
  await page.close();
  // Each field's validation is unit-tested (tests/node/url-state.test.mjs); here, the page's answer.
  const opened = ["#v=2&data=circle", "#section-2", "#v=1&lr=fast", "#v=1&out=tanh&loss=bce", "#v=1&w=AAAA"];
  const expectFallback = async (bad, hash) => {
    const alert = bad.locator('[role="alert"]');
    await alert.waitFor({ state: "visible" });
    assert.match(await alert.textContent(), /could not be used: .+Showing the default playground instead/, hash);
    assert.deepEqual(await hooks(bad, "state"), defaults, hash);
    assert.match(await bad.evaluate(() => location.hash), /^#v=1&data=circle&/, hash);
    assert.equal((await hooks(bad, "step", 3)).epoch, 3, hash);
  };
  for (const hash of opened) {
    const bad = await open(hash);
    await expectFallback(bad, hash);
    if (hash === opened.at(-1)) {
      // A hash typed into the address bar of an open page is read the same way.
      await hooks(bad, "setState", { data: { name: "xor" } });
      await bad.evaluate(() => { location.hash = "#v=1&h=100:tanh"; });
      await bad.waitForFunction(() => window.nnplay.state().data.name === "circle");
      await expectFallback(bad, "typed #v=1&h=100:tanh");
    }
    assert.deepEqual(bad.errors, [], hash);
    await bad.close();
  }
});

// A snapshot published between a hash navigation and its hashchange event (every frame while
// training) puts the session's hash back in the address bar: the page must read the hash from
// the event, not from the bar. Here the bar never changes, as if that had happened.
test("a_hash_navigated_to_is_read_from_its_event_not_from_the_address_bar", TIMEOUT, async () => {
  const page = await open("");
  await hooks(page, "setState", { data: { name: "xor" } });
  const xor = await hooks(page, "shareUrl");
  await hooks(page, "setState", { data: { name: "circle" } });
  await page.evaluate((newURL) => window.dispatchEvent(new HashChangeEvent("hashchange",
    { oldURL: location.href, newURL })), xor);
  await page.waitForFunction(() => window.nnplay.state().data.name === "xor");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("buttons_keys_and_controls_drive_the_playground", TIMEOUT, async () => {
  const page = await open("");
  const historyLength = await page.evaluate(() => history.length);
  await page.click("#play");
  await page.waitForFunction(() => window.nnplay.metrics().epoch > 0);
  assert.equal(await page.getAttribute("#play", "aria-pressed"), "true");
  // The page is cross-origin isolated: its worker's core has every core of the machine.
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
  assert.equal(await page.textContent("#status"), `Training… (the core has ${cores > 1 ? `${cores} threads` : "1 thread"})`);
  await page.click("#play");
  await page.waitForFunction(() => document.getElementById("play").getAttribute("aria-pressed") === "false");
  await hooks(page, "pause");
  const paused = (await hooks(page, "metrics")).epoch;
  await page.click("#step");
  await page.waitForFunction((e) => window.nnplay.metrics().epoch === e + 1, paused);
  await page.locator("body").press("s");
  await page.waitForFunction((e) => window.nnplay.metrics().epoch === e + 2, paused);
  await page.locator("body").press("r");
  await page.waitForFunction(() => window.nnplay.metrics().epoch === 0);
  await page.locator("body").press(" ");
  await page.waitForFunction(() => window.nnplay.metrics().epoch > 0);
  await hooks(page, "pause");

  await page.selectOption("#dataset", "reg-gauss");
  await page.waitForFunction(() => window.nnplay.state().data.name === "reg-gauss");
  const regression = await hooks(page, "state");
  assert.equal(regression.config.loss, "mse", "a regression set brings a regression loss");
  assert.equal(regression.config.layers.at(-1).activation, "linear");
  await page.click("#add-layer");
  await page.waitForFunction(() => window.nnplay.state().config.layers.length === 4);
  await page.fill('#layers input[type="number"] >> nth=0', "0");
  await page.locator('#layers input[type="number"] >> nth=0').dispatchEvent("change");
  await page.waitForFunction(() => !document.getElementById("alert").hidden);
  assert.match(await page.textContent("#alert"), /hidden layers \(h\): expected layer 1 units/);
  assert.equal((await hooks(page, "state")).config.layers[0].units, 4, "a refused edit changes nothing");
  await page.check("#feature-x1sq");
  await page.waitForFunction(() => window.nnplay.state().config.input[0] === 3);
  assert.match(await page.evaluate(() => location.hash), /&f=x1,x2,x1sq&/);
  assert.equal(await page.evaluate(() => history.length), historyLength, "edits replace the history entry");

  await page.click("#share");
  assert.equal(await page.inputValue("#share-url"), await hooks(page, "shareUrl"));
  assert.deepEqual((await hooks(page, "lessons")).map((l) => l.id),
    ["000-moons", "001-breast-cancer", "002-xor", "003-neuron", "004-backprop"]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("divergence_pauses_and_says_what_to_try", TIMEOUT, async () => {
  const page = await open("#v=1&data=reg-plane&out=linear&loss=mse&h=8:relu,8:relu&lr=10");
  await hooks(page, "play");
  await page.waitForFunction(() => /diverged/.test(document.getElementById("alert").textContent),
    null, { timeout: 120_000 });
  await hooks(page, "pause");
  assert.match(await page.textContent("#alert"), /learning rate \(10\) is too high.*lower it/);
  assert.equal(await page.getAttribute("#play", "aria-pressed"), "false");
  const stopped = (await hooks(page, "metrics")).epoch;
  assert.equal((await hooks(page, "step", 5)).epoch, stopped, "a diverged network does not train on");
  await hooks(page, "setState", { config: { optimizer: { type: "sgd", lr: 0.01 } } });
  assert.equal((await hooks(page, "step", 5)).epoch, 5);
  assert.ok(await page.locator("#alert").isHidden());
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a_schedule_is_set_from_the_keyboard_and_the_rate_in_use_is_shown_and_replays_exactly", TIMEOUT, async () => {
  const page = await open("#v=1&data=xor&h=6:gelu,4:leaky_relu&opt=rmsprop&lr=0.03");
  assert.equal(await page.isHidden("#schedule-fields"), true, "a constant schedule has no fields");
  // Keyboard only: choose step decay, then Tab into its first field and type a value.
  await page.focus("#schedule");
  await page.selectOption("#schedule", "step");  // what the arrow keys do to a focused select
  await page.waitForFunction(() => window.nnplay.state().config.schedule?.type === "step");
  await page.focus("#schedule");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.labels[0].textContent.trim()), "Every (steps)");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("20");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => window.nnplay.state().config.schedule?.every === 20);
  assert.deepEqual((await hooks(page, "state")).config.schedule, { type: "step", every: 20, factor: 0.5 });
  // 250 training points in batches of 10: 25 steps an epoch; after 2 epochs t = 50, two drops.
  const metrics = await hooks(page, "step", 2);
  assert.equal(metrics.step, 50);
  assert.equal(metrics.lr, 0.03 * 0.25);
  assert.equal(await page.textContent("#rate-now"), "0.0075");
  // The epoch link replays to the same numbers.
  const url = await hooks(page, "shareUrl", { epoch: true });
  assert.match(url, /&sch=step,every:20,factor:0.5&/);
  const other = await open(url.slice(url.indexOf("#")));
  await other.waitForFunction(() => window.nnplay.metrics().epoch === 2 && !document.querySelector("#play[aria-pressed=true]"));
  assert.deepEqual(await hooks(other, "metrics"), metrics);
  assert.deepEqual(page.errors, []);
});
