// The digits page end to end: the pretrained model on MNIST, digits drawn with the mouse,
// digits set in fonts (not MNIST), training in the worker, and the URL state.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { startBrowser } from "./browser.mjs";

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

const predicted = async (page) => (await page.textContent("#digit-prediction")).match(/\d/)?.[0];

// Strokes in pad coordinates (280 x 280), as a person would draw each digit.
const arc = (cx, cy, rx, ry, from, to, steps = 10) => Array.from({ length: steps + 1 }, (_, i) => {
  const t = (from + (to - from) * i / steps) * Math.PI / 180;
  return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
});
const DRAWN = {
  0: [arc(140, 140, 55, 85, -90, 275, 18)],
  1: [[[150, 50], [145, 140], [138, 230]]],
  2: [[...arc(140, 100, 52, 48, 200, 360), [180, 140], [90, 228], [205, 228]]],
  3: [[...arc(138, 92, 45, 45, 210, 450), ...arc(138, 182, 50, 48, 270, 500)]],
  4: [[[110, 50], [90, 160], [205, 160]], [[175, 75], [172, 235]]],
  5: [[[195, 55], [105, 55], [95, 130]], [[95, 130], ...arc(140, 175, 55, 55, 240, 500)]],
  6: [[[185, 50], [130, 85], ...arc(140, 180, 50, 50, 180, 540)]],
  7: [[[80, 60], [200, 60], [125, 235]]],
  8: [[...arc(140, 92, 42, 42, 90, 450), ...arc(140, 182, 50, 48, 270, -90)]],
  9: [[...arc(140, 95, 45, 42, 0, 360), [184, 100], [172, 235]]],
};

async function draw(page, strokes) {
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

test("pretrained_cnn_reads_the_pad_and_scores_99_percent_on_the_mnist_test_set", async () => {
  const page = await env.newPage("digits.html");
  // The CNN, not the MLP fallback (98.6 %, which a 98 % bar would let through).
  assert.deepEqual(await page.evaluate(() => window.nnplay.model()), { name: "pretrained CNN", source: "pretrained",
    layers: ["conv2d", "maxpool2d", "conv2d", "maxpool2d", "flatten", "dense"] });
  const { testAccuracy } = await page.evaluate(() => window.nnplay.evaluate());
  assert.ok(testAccuracy >= 0.99, `test accuracy ${testAccuracy}`);
  await page.waitForFunction(() => /\d+\.\d\d% on the MNIST test set/.test(
    document.getElementById("model-info").textContent), null, { timeout: 60_000 });
  assert.equal(await page.locator("#confusion button").count(), 100);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_drawn_with_the_mouse_are_classified", async () => {
  const page = await env.newPage("digits.html");
  assert.equal(await predicted(page), undefined);  // empty pad: no digit in the text
  const wrong = [];
  for (const [digit, strokes] of Object.entries(DRAWN)) {
    await page.click("#digit-clear");
    await draw(page, strokes);
    const label = await predicted(page);
    if (label !== digit) wrong.push(`${digit} read as ${label}`);
  }
  assert.deepEqual(wrong, []);
  // undo takes back the last stroke: a 4 without its stem is no longer a 4
  await page.click("#digit-clear");
  await draw(page, DRAWN[4]);
  await page.click("#digit-undo");
  assert.notEqual(await predicted(page), "4");
  await draw(page, [DRAWN[4][1]]);
  assert.equal(await predicted(page), "4");
  const preview = await page.evaluate(() => window.nnplay.classify(
    new Uint8Array(280 * 280), 280, 280));
  assert.equal(preview.label, null);  // a blank picture has no digit
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_rendered_in_fonts_at_any_size_position_and_polarity_are_classified", async () => {
  const page = await env.newPage("digits.html");
  const results = await page.evaluate(() => {
    const fonts = ["sans-serif", "bold sans-serif", "serif", "bold serif", "monospace",
      "italic sans-serif", "italic serif"];
    const canvas = document.createElement("canvas");
    canvas.width = 200;
    canvas.height = 160;
    const c = canvas.getContext("2d", { willReadFrequently: true });
    const out = [];
    let k = 0;
    for (const font of fonts) {
      for (const stroke of [0, 0.04, 0.08]) {  // extra outline, relative to the font size
        for (let digit = 0; digit < 10; digit++, k++) {
          const darkOnLight = k % 2 === 0;
          const size = 40 + (k * 37) % 100;  // 40..139 px
          c.fillStyle = darkOnLight ? "#fff" : "#000";
          c.fillRect(0, 0, 200, 160);
          c.fillStyle = c.strokeStyle = darkOnLight ? "#000" : "#fff";
          c.font = font.replace(/[a-z-]+$/, `${size}px $&`);
          c.textAlign = "center";
          c.textBaseline = "middle";
          const x = 100 + (k * 13) % 50 - 25, y = 80 + (k * 7) % 30 - 15;
          c.fillText(String(digit), x, y);
          if (stroke) {
            c.lineWidth = stroke * size;
            c.lineJoin = "round";
            c.strokeText(String(digit), x, y);
          }
          const rgba = c.getImageData(0, 0, 200, 160).data;
          const gray = new Uint8ClampedArray(200 * 160);
          for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i];
          const { label, inverted } = window.nnplay.classify(gray, 200, 160);
          out.push({ digit, label, font, stroke, inverted, darkOnLight });
        }
      }
    }
    return out;
  });
  const right = results.filter((r) => r.label === r.digit).length;
  const accuracy = right / results.length;
  const misses = results.filter((r) => r.label !== r.digit)
    .map((r) => `${r.digit}->${r.label} (${r.font}, ${r.stroke})`);
  console.log(`rendered digits: ${right}/${results.length} right; ${misses.join(", ")}`);
  assert.ok(accuracy >= 0.95, `accuracy ${accuracy}: ${misses.join(", ")}`);
  assert.ok(results.every((r) => r.inverted === r.darkOnLight), "polarity detection");
  await page.close();
});

test("training_one_mlp_epoch_in_the_worker_reaches_95_percent_and_drives_the_pad", async () => {
  const page = await env.newPage("digits.html");
  const result = await page.evaluate(() => window.nnplay.train({ model: "mlp", epochs: 1 }));
  console.log(`MLP 784-128-10, 1 epoch: ${(result.testAccuracy * 100).toFixed(2)}% in ` +
    `${result.seconds.toFixed(1)} s`);
  assert.ok(result.testAccuracy >= 0.95, `test accuracy ${result.testAccuracy}`);
  assert.ok(result.seconds > 0);
  assert.match(await page.textContent("#model-info"), /trained here/);
  assert.equal(await page.evaluate(() => document.getElementById("train-progress").value), 1);
  await draw(page, DRAWN[7]);
  assert.equal(await predicted(page), "7");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("stop_button_ends_training_early_and_the_partly_trained_network_reads_the_pad", async () => {
  const page = await env.newPage("digits.html");
  await page.selectOption("#train-model", "mlp30");
  await page.fill("#train-epochs", "5");
  await page.click("#train-start");
  await page.waitForFunction(() => /digits\/s/.test(document.getElementById("train-status").textContent),
    null, { timeout: 120_000 });
  await page.click("#train-stop");
  await page.waitForFunction(() => /^Stopped/.test(document.getElementById("train-status").textContent),
    null, { timeout: 120_000 });
  assert.match(await page.textContent("#model-info"), /stopped early/);
  assert.equal(await page.isEnabled("#train-start"), true);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a_saved_model_loads_back_and_a_file_that_is_not_one_shows_an_alert", async () => {
  const page = await env.newPage("digits.html");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#model-save")]);
  const saved = await download.path();
  await page.setInputFiles("#model-load", saved);
  await page.waitForFunction(() => /loaded from/.test(document.getElementById("model-info").textContent));
  await draw(page, DRAWN[3]);
  assert.equal(await predicted(page), "3");
  await page.setInputFiles("#model-load",
    { name: "notes.json", mimeType: "application/json", buffer: Buffer.from("{\"format\": 1}") });
  await page.waitForFunction(() => !document.getElementById("digits-error").hidden);
  assert.match(await page.textContent("[role=alert]"), /notes\.json is neither an nnplay model/);
  assert.match(await page.textContent("#model-info"), /loaded from/);  // the old model stays
  await page.close();
});

test("the_model_saved_for_tfjs_opens_again_and_reads_the_same", async () => {
  const page = await env.newPage("digits.html");
  await draw(page, DRAWN[7]);
  const before = await page.textContent("#digit-prediction");
  const downloads = [];
  page.on("download", (d) => downloads.push(d));
  await page.click("#model-save-tfjs");
  while (downloads.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  const files = await Promise.all(downloads.map(async (d) =>
    ({ name: d.suggestedFilename(), mimeType: "application/octet-stream", buffer: await readFile(await d.path()) })));
  assert.deepEqual(files.map((f) => f.name).sort(), ["model.json", "weights.bin"]);
  await page.setInputFiles("#model-load", files);
  await page.waitForFunction(() => /loaded from model\.json/.test(document.getElementById("model-info").textContent)
    || /loaded from weights\.bin/.test(document.getElementById("model-info").textContent));
  await page.click("#digit-clear");
  await draw(page, DRAWN[7]);
  assert.equal(await page.textContent("#digit-prediction"), before);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a_foreign_url_hash_shows_an_alert_and_falls_back_to_defaults", async () => {
  const page = await env.newPage("digits.html#v=1&model=mlp30&epochs=3");
  assert.equal(await page.inputValue("#train-model"), "mlp30");
  assert.equal(await page.inputValue("#train-lr"), "3");
  assert.equal(await page.inputValue("#train-epochs"), "3");
  assert.ok(await page.locator("#digits-error").isHidden());
  await page.goto(new URL("digits.html#v=1&dataset=spiral", env.url).href);
  await page.evaluate(() => window.nnplay.ready);
  assert.match(await page.textContent("[role=alert]"), /dataset/);
  assert.equal(await page.inputValue("#train-model"), "mlp");
  await page.close();
});
