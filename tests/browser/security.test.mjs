// Page security in Chromium: every page runs under the site's Content-Security-Policy without
// a single violation while it loads, trains and draws; and links, CSV files and model files
// whose text is markup or script render as text: nothing injected, no dialog, no script run.
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { nnplayModelFile, tfjsModelFiles } from "../../web/lib/model-files.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { hooks, startBrowser } from "./browser.mjs";

const TIMEOUT = { timeout: 300_000 };
let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env.close(); });

// Each would set window.__pwned if the page ever treated it as markup or as a URL to follow;
// mark is the part of it a message keeps when it shortens a long value.
const PAYLOADS = [
  { text: `<img src=x onerror="window.__pwned=1;alert(1)">`, mark: "<img src=x" },
  { text: "javascript:window.__pwned=1", mark: "javascript:" },
  { text: `"><script>window.__pwned=1</script>`, mark: "<script>" },
  { text: `'><svg onload="window.__pwned=1">`, mark: "<svg" },
];

// The site's pages (web/build apart), as paths relative to the site.
const web = fileURLToPath(new URL("../../web/", import.meta.url));
const pages = (await readdir(web, { recursive: true }))
  .filter((path) => path.endsWith(".html") && !path.startsWith("build"))
  .map((path) => path.replaceAll("\\", "/")).sort();

// In the page before its scripts: CSP violations of the document, kept for the test.
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
  });
}

/**
 * Opens a page that records every CSP violation (the document's, its workers', and console
 * "Refused to" lines) and every dialog; violations() collects them.
 */
async function openWatched(path, { ready = true } = {}) {
  const page = await env.newPage(path, { ready: false, timeout: 120_000, before: watch });
  if (ready) {
    await page.waitForFunction(() => window.nnplay?.ready);
    await page.evaluate(() => window.nnplay.ready);
  }
  return page;
}

// Before the page opens: the recording that openWatched promises.
async function watch(page) {
  await page.addInitScript(recordViolations);
  page.dialogs = [];
  page.on("dialog", (dialog) => {
    page.dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  // Emscripten's pthread workers (the threaded core) run only its WASM; one that waits for work
  // is blocked in Atomics.wait and would never answer an evaluate. The page's own workers are
  // watched.
  const watched = () => page.workers().filter((worker) => !/nnplay_wasm_mt\.worker\.js/.test(worker.url()));
  page.on("worker", (worker) => watched().includes(worker) && worker.evaluate(() => {
    self.__cspViolations = [];
    self.addEventListener("securitypolicyviolation", (e) => self.__cspViolations.push(`${e.violatedDirective} in a worker`));
  }).catch(() => {}));
  const refused = [];
  page.on("console", (m) => { if (/Refused to|Content Security Policy/i.test(m.text())) refused.push(m.text()); });
  page.violations = async () => {
    const inWorkers = await Promise.all(watched().map((worker) =>
      worker.evaluate(() => self.__cspViolations ?? []).catch(() => [])));
    return [...await page.evaluate(() => window.__cspViolations), ...inWorkers.flat(), ...refused];
  };
}


// What a payload would leave behind: its flag, a dialog, or elements that the page never makes.
async function assertNothingInjected(page) {
  const left = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    elements: [...document.querySelectorAll("img, svg, iframe, object, embed, script:not([src]), [onerror], [onload]," +
      " a[href^='javascript:' i]")].map((e) => e.outerHTML.slice(0, 80)),
  }));
  assert.deepEqual(left, { pwned: null, elements: [] });
  assert.deepEqual(page.dialogs, []);
}

const alertText = (page) => page.locator('[role="alert"]').textContent();

// ---- Content-Security-Policy

// What each page does under test: load, train and draw, through its controls.
const EXERCISE = {
  "index.html": async (page) => {
    await hooks(page, "step", 20);
    const box = await page.locator("#heatmap").boundingBox();
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);  // adds a point
    await page.waitForFunction(() => location.hash.includes("&pts=") && !location.hash.endsWith("pts="));
    await page.click("#play");
    await page.waitForFunction(() => window.nnplay.metrics().epoch >= 40);
    await hooks(page, "pause");
    await page.click("#share");
    await page.locator("#share-url").waitFor();
    assert.equal((await page.$$(".uplot canvas")).length, 4, "uPlot draws the loss, accuracy and both gradient-flow charts");
  },
  "digits.html": async (page) => {
    const box = await page.locator("#digit-pad").boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction(() => /\d/.test(document.getElementById("digit-prediction").textContent));
    // Training starts in the worker; stopped after its first progress report.
    await page.evaluate(() => { window.__training = window.nnplay.train({ model: "mlp30", epochs: 1 }); });
    await page.waitForFunction(() => document.getElementById("train-progress").value > 0);
    await page.click("#train-stop");
    await page.evaluate(() => window.__training);
    await hooks(page, "evaluate");
  },
  "embed.html": async (page) => {
    await page.click("#step");
    await page.waitForFunction(() => window.nnplay.metrics().epoch === 1);
    await page.click("#play");
    await page.waitForFunction(() => window.nnplay.metrics().epoch >= 20);
    await hooks(page, "pause");
  },
  "xor.html": async (page) => {
    await page.waitForFunction(() => window.nnplay?.ready);  // the core loads after the page's load event
    await page.click("#play");
    await page.waitForFunction(() => Number(document.getElementById("epoch").textContent) >= 1000);
  },
};

for (const path of pages) {
  test(`${path.replace(/\.html$/, "")}_page_runs_under_the_csp_without_violations`, TIMEOUT, async () => {
    const page = await openWatched(path, { ready: false });
    const response = await page.request.get(new URL(path, env.url).href);
    // Only the embed page may be framed, by any site: that is what it is for.
    assert.match(response.headers()["content-security-policy"], path === "embed.html" ?
      /script-src 'self' 'wasm-unsafe-eval';.*frame-ancestors \*$/ : /script-src 'self' 'wasm-unsafe-eval';.*frame-ancestors 'none'/);
    await page.waitForLoadState("load");
    if (await page.evaluate(() => Boolean(window.nnplay?.ready))) await page.evaluate(() => window.nnplay.ready);
    await EXERCISE[path]?.(page);
    assert.deepEqual(await page.violations(), []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test("a_blocked_inline_script_is_reported_as_a_violation", TIMEOUT, async () => {
  // The check above would see one: an inline script added at run time is refused and reported.
  const page = await openWatched("xor.html");
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.__pwned = 1";
    document.body.append(script);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
  assert.match((await page.violations())[0], /^script-src/);
  await page.close();
});

// ---- payloads in links

// Sets the hash in the open page and waits until the page has rebuilt from it.
async function openHash(page, hash) {
  await page.evaluate(async (h) => {
    await new Promise((resolve) => {
      window.addEventListener("hashchange", resolve, { once: true });
      location.hash = h;
    });
    await window.nnplay.step(1);  // queued after the rebuild: resolves once it is done
  }, hash);
}

test("playground_link_payloads_in_every_text_field_render_as_text", TIMEOUT, async () => {
  const page = await openWatched("");
  const encode = encodeURIComponent;
  for (const { text, mark } of PAYLOADS) {
    const value = encode(text);
    // Echoed in the message: the CSV file's name, a label column the preset lacks, a dataset,
    // a setting's name, a version, hidden layers.
    for (const hash of [`v=1&data=csv&file=${value}`, `v=1&data=breast-cancer&label=${value}`, `v=1&data=${value}`,
      `v=1&${value}=1`, `v=${value}`, `v=1&h=${value}`]) {
      await openHash(page, hash);
      assert.ok((await alertText(page)).includes(mark), `${hash}: ${await alertText(page)}`);
      await assertNothingInjected(page);
    }
    // Plotted columns the preset lacks, and a hash that is all payload.
    for (const hash of [`v=1&data=breast-cancer&px=${value}`, `v=1&data=breast-cancer&py=${value}`, value]) {
      await openHash(page, hash);
      await assertNothingInjected(page);
    }
  }
  // Still a working playground.
  await openHash(page, "v=1&data=xor");
  assert.ok((await hooks(page, "step", 5)).epoch >= 5);
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("embed_link_payloads_render_as_text_and_its_link_stays_on_the_site", TIMEOUT, async () => {
  const page = await openWatched("embed.html");
  for (const { text, mark } of PAYLOADS) {
    const value = encodeURIComponent(text);
    // The CSV file's name (the embed's own message), a dataset, a setting's name.
    for (const hash of [`v=1&data=csv&file=${value}`, `v=1&data=${value}`, `v=1&${value}=1`]) {
      await openHash(page, hash);
      assert.ok((await alertText(page)).includes(mark), `${hash}: ${await alertText(page)}`);
      await assertNothingInjected(page);
      assert.ok((await page.getAttribute("#open", "href")).startsWith(env.url), "Open in nnplay leads to the site's playground");
    }
  }
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_link_payloads_render_as_text", TIMEOUT, async () => {
  const first = encodeURIComponent(PAYLOADS[0].text);
  const page = await openWatched(`digits.html#v=1&model=${first}`);
  for (const { text, mark } of PAYLOADS) {
    const value = encodeURIComponent(text);
    // A training setting, a setting's name, a version: each message quotes the value.
    for (const hash of [`v=1&model=${value}`, `v=1&${value}=1`, `v=${value}`]) {
      if (hash !== `v=1&model=${first}`) {
        const before = await alertText(page);
        await page.evaluate((h) => { location.hash = h; }, hash);
        // The page may clear its alert before it shows the new one: wait for the new message itself.
        await page.waitForFunction((b) => !["", b].includes(document.getElementById("digits-error").textContent), before);
      }
      assert.ok((await alertText(page)).includes(mark.slice(0, 10)), `${hash}: ${await alertText(page)}`);
      await assertNothingInjected(page);
    }
  }
  const { label } = await page.evaluate(() => window.nnplay.classify(new Uint8Array(28 * 28).fill(255, 300, 320), 28, 28));
  assert.ok(Number.isInteger(label), "the page still classifies");
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// ---- payloads in files

const csvField = (text) => `"${text.replaceAll('"', '""')}"`;

test("csv_with_payload_column_and_class_names_renders_as_text", TIMEOUT, async () => {
  const page = await openWatched("");
  const [a, b, label, file] = PAYLOADS.map((p) => p.text);
  const classes = PAYLOADS.slice(0, 3).map((p) => p.text);
  const rows = Array.from({ length: 60 }, (_, i) => {
    const k = i % 3;
    return [k + 0.1 * (i % 7), k - 0.05 * (i % 5), csvField(classes[k])].join(",");
  });
  const csv = [[a, b, label].map(csvField).join(","), ...rows].join("\n");
  await page.setInputFiles("#csv-file", { name: `${file}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.waitForFunction(() => window.nnplay.state().data.name === "csv");

  const state = await hooks(page, "state");
  assert.equal(state.data.label, label);
  assert.equal(state.data.file, `${file}.csv`);
  const info = await page.textContent("#table-info");
  for (const text of [file, label, ...classes]) assert.ok(info.includes(text), `${text} in: ${info}`);
  const legend = await page.$$eval("#class-legend > span", (items) => items.map((item) => item.textContent));
  assert.deepEqual(legend.sort(), [...classes].sort());
  const columns = await page.$$eval("#label-column option", (options) => options.map((o) => o.value));
  assert.deepEqual(columns, [a, b, label]);
  assert.ok((await page.textContent("#plot-note")).includes(a));
  assert.ok((await page.textContent("#dataset")).includes(file));
  assert.ok((await hooks(page, "step", 3)).epoch >= 3);
  await assertNothingInjected(page);

  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);

  // The link carries the names percent-encoded; opened elsewhere, it asks for the file by name.
  const url = await hooks(page, "shareUrl");
  assert.ok(!/[<>" ]/.test(url.slice(url.indexOf("#"))), url);
  const other = await openWatched(url.slice(url.indexOf("#")));
  assert.ok((await alertText(other)).includes(`"${file}.csv"`), await alertText(other));
  await assertNothingInjected(other);
  await page.close();
  await other.close();
});

// A network of the playground's default shape, made in Node with the same WASM module.
async function defaultNetwork() {
  const nn = await loadNN();
  return nn.createNetwork({ input: [2], loss: "bce", seed: 1, batchSize: 10,
    layers: [{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 2, activation: "tanh" },
      { type: "dense", units: 1, activation: "sigmoid" }] });
}

const asUpload = ({ name, type, data }) => ({ name, mimeType: type, buffer: Buffer.from(data) });

test("model_files_with_payload_names_render_as_text", TIMEOUT, async () => {
  const net = await defaultNetwork();
  const model = net.toJSON();
  const artifacts = net.toTFJS();
  net.delete();
  const page = await openWatched("");
  const before = await hooks(page, "state");
  for (const { text, mark } of PAYLOADS) {
    // nnplay file: a weight named by the payload, in a file named by it. The core refuses the
    // name, and the message shows it.
    const named = { ...model, weights: model.weights.map((w, i) => (i === 2 ? { ...w, name: text } : w)) };
    await page.setInputFiles("#open-model", asUpload(nnplayModelFile(named, { name: `${text}.json` })));
    await page.waitForFunction((m) => document.getElementById("alert").textContent.includes(m), mark);
    assert.match(await alertText(page), /could not be opened: weights\[2\]\.name: expected "dense_1\/kernel", got .*The network is unchanged/);
    assert.ok((await alertText(page)).includes(`${text}.json`));
    assert.deepEqual(await hooks(page, "state"), before);
    await assertNothingInjected(page);

    // TF.js files: layers and the weights file named by the payload. Layer names do not
    // matter to nnplay, so the network opens (as the default playground's network).
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers.forEach((layer, i) => { layer.config.name = `${text}${i}`; });
    const specs = artifacts.weightSpecs.map((spec) => ({ ...spec, name: spec.name.replace(/^dense_(\d)/, `${text}$1`) }));
    const files = tfjsModelFiles({ ...artifacts, modelTopology: topology, weightSpecs: specs });
    files[1].name = `${text}.bin`;
    const modelJson = JSON.parse(files[0].data);
    modelJson.weightsManifest[0].paths = [files[1].name];
    files[0].data = JSON.stringify(modelJson);
    await page.setInputFiles("#open-model", files.map(asUpload));
    await page.locator("#alert").waitFor({ state: "hidden" });  // opened: the message goes
    assert.match(await page.textContent("#status"), /^Opened model\.json/);
    await assertNothingInjected(page);
  }
  assert.ok((await hooks(page, "step", 3)).epoch >= 3);
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("digits_model_file_with_payload_names_renders_as_text", TIMEOUT, async () => {
  const page = await openWatched("digits.html");
  const before = await page.textContent("#model-info");
  const model = await page.evaluate(() => fetch("models/digits-mlp.json").then((r) => r.json()));
  for (const { text, mark } of PAYLOADS) {
    const named = { ...model, weights: model.weights.map((w, i) => (i === 0 ? { ...w, name: text } : w)) };
    await page.setInputFiles("#model-load", { name: `${text}.json`, mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(named)) });
    await page.waitForFunction((m) => document.getElementById("digits-error").textContent.includes(m), mark);
    assert.match(await alertText(page), /weights\[0\]\.name: expected "dense_0\/kernel", got /);
    assert.equal(await page.textContent("#model-info"), before);
    await assertNothingInjected(page);
  }
  assert.deepEqual(await page.violations(), []);
  assert.deepEqual(page.errors, []);
  await page.close();
});
