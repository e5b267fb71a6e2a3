// A restless user for random-interaction.test.mjs: a seeded sequence of actions on whatever
// controls a page shows at each step (found in the DOM then, never by id: the pages change),
// with junk in every field, junk files, junk hashes and actions fired with no wait between
// them. Every action is logged in words, so a failure names what was done.
//
// The seed fixes the sequence of random draws (a fixed number per action, so one action that
// finds nothing to do does not shift the rest); which control a draw lands on still depends
// on what the page shows at that moment, which asynchronous training can change. The log, not
// a replay, is the reproduction.
import { makeRandom } from "../../web/lib/random.js";

/** Text typed into fields. */
export const JUNK = ["", "-1", "0", "1e309", "-1e-400", "NaN", "abc", "3.5", "999999999", "0.0000001",
  "<img src=x onerror=alert(1)>", "  7  ", "1,5", "١٢"];
export const KEYS = [" ", "s", "r", "Escape", "Delete", "Enter", "ArrowLeft", "ArrowRight", "ArrowUp",
  "ArrowDown", "Control+z"];
/** Hashes typed into the address bar of pages that read theirs. */
export const JUNK_HASHES = ["#v=1&lr=fast", "#v=9", "#garbage", "#", "#v=1&h=100:tanh", "#v=1&data=spiral",
  "#v=1&model=cnn&epochs=abc", "#v=1&epochs=1&lr=1e309", "#v=1&w=AAAA", "#v=1&data=csv&file=x.csv"];

// How often each kind of action is drawn (among those the page offers at the time).
const KINDS = { click: 26, select: 12, type: 16, toggle: 7, key: 13, stroke: 7, tap: 5, file: 5, drop: 2, hash: 3 };
const DRAWS = 8;  // random numbers per action, used or not

const tfjsModel = (layerName) => ({
  format: "layers-model",
  modelTopology: { class_name: "Sequential", config: { name: "s", layers: [{ class_name: "Dense",
    config: { name: layerName, units: 10, activation: "softmax", batch_input_shape: [null, 784] } }] } },
  weightsManifest: [{ paths: ["weights.bin"], weights: [
    { name: "dense/kernel", shape: [784, 10], dtype: "float32" }, { name: "dense/bias", shape: [10], dtype: "float32" }] }],
});

/** The junk files: { name, mimeType, buffer } for setInputFiles, and drops on the page. */
export function junkFiles(random) {
  const text = (name, mimeType, value) =>
    ({ name, mimeType, buffer: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)) });
  const numbers = (n) => Array.from({ length: n }, () => Math.round((random() - 0.5) * 200) / 1000);
  const dense = (units, activation) => ({ type: "dense", units, activation });
  const model = (input, layers, loss, weights) => ({ format: "nnplay-model", version: 1,
    config: { input, layers, loss, optimizer: { type: "sgd", lr: 0.1 }, seed: 1, batchSize: 8 }, weights });
  return [
    text("bad-cell.csv", "text/csv", "x1,x2,label\n0.5,1.5,a\n1,oops,b\n2,3,a\n,,\n"),
    text("one-row.csv", "text/csv", "x1,x2,label\n1,2,1\n"),
    text("empty.csv", "text/csv", ""),
    // Valid: 3 classes, so the table's controls and the multiclass choices come into play.
    text("flowers.csv", "text/csv", ["size,width,kind", ...Array.from({ length: 24 }, (_, i) =>
      [(i % 3 + random()).toFixed(2), (2 - i % 3 + random()).toFixed(2), ["rose", "iris", "lily"][i % 3]].join(","))]
      .join("\n")),
    text("empty.json", "application/json", ""),
    text("not-a-model.json", "application/json", { hello: "world", weights: [1, 2, 3] }),
    // Looks like a model file, but the weights do not fit the layers.
    text("wrong-shapes.nnplay.json", "application/json", { ...model([2], [dense(3, "tanh"), dense(1, "sigmoid")], "bce", [
      { name: "dense_0/kernel", shape: [5, 7], data: numbers(35) },
      { name: "dense_0/bias", shape: [3], data: "AAAA" },
      { name: "dense_1/kernel", shape: [3, 1], data: numbers(2) },
    ]), metadata: { playground: "v=1&lr=fast" } }),
    text("digits-wrong-shapes.nnplay.json", "application/json", model([784], [dense(10, "softmax")], "cross_entropy", [
      { name: "dense_0/kernel", shape: [784, 10], data: numbers(100) },
      { name: "dense_0/bias", shape: [10], data: numbers(10) },
    ])),
    // Valid: a 2-3-1 network, and a 784-10 one (the digits page takes it).
    text("xor.nnplay.json", "application/json", model([2], [dense(3, "tanh"), dense(1, "sigmoid")], "bce", [
      { name: "dense_0/kernel", shape: [2, 3], data: numbers(6) }, { name: "dense_0/bias", shape: [3], data: numbers(3) },
      { name: "dense_1/kernel", shape: [3, 1], data: numbers(3) }, { name: "dense_1/bias", shape: [1], data: numbers(1) },
    ])),
    text("digits-linear.nnplay.json", "application/json", model([784], [dense(10, "softmax")], "cross_entropy", [
      { name: "dense_0/kernel", shape: [784, 10], data: numbers(7840) },
      { name: "dense_0/bias", shape: [10], data: numbers(10) },
    ])),
    // TF.js model.json files: one whose layer has no name, and one whose weights.bin (below) is
    // random bytes of the wrong length.
    text("model.json", "application/json", tfjsModel(undefined)),
    text("tfjs-784-10.json", "application/json", tfjsModel("dense")),
    { name: "weights.bin", mimeType: "application/octet-stream",
      buffer: Buffer.from(Array.from({ length: 1000 }, () => Math.floor(random() * 256))) },
  ];
}

// ---- the part that runs in the page: find the controls, act on one, report what was done

/**
 * Runs in the page. Picks a control for `kind` with the draws r (numbers in [0, 1)), does what
 * can be done from inside the page (set a value, toggle, focus, change the hash, drop a file)
 * and returns { what, ...what the test does next }, the kinds that have targets now
 * (`available`) and the visible texts of alerts, statuses and live regions (`shown`, as they
 * were before the action). kind "look" only returns `shown` and the lines of the page text.
 */
function actInPage({ kind, r, junk, hash, drop }) {
  const CONTRACT = ["play", "step", "reset", "share", "digit-pad", "digit-clear"];
  const SELECTORS = {
    click: "button, input[type=button], input[type=submit], input[type=reset], [role=button], label:has(input[type=file])",
    select: "select",
    type: "input:not([type]), input[type=text], input[type=number], input[type=range], input[type=search], " +
      "input[type=email], input[type=url], textarea",
    toggle: "input[type=checkbox], input[type=radio]",
    key: "button, input, select, textarea, [tabindex]:not([tabindex='-1'])",
    stroke: "canvas",
    tap: "canvas",
    file: "input[type=file]",
  };
  const pick = (list, x) => list[Math.min(list.length - 1, Math.floor(x * list.length))];
  // Many controls that share a parent (the 100 cells of a matrix, a row of checkboxes) count
  // as one choice, the contract's controls (docs/API.md) as two; x picks a choice, then what
  // remains of it a control of the choice.
  const pickWeighted = (list, x) => {
    const choices = [...Map.groupBy(list, (el) => el.parentElement).values()]
      .flatMap((group) => (group.length >= 6 ? [group] : group.map((el) => [el])))
      .flatMap((choice) => (choice.length === 1 && CONTRACT.includes(choice[0].id) ? [choice, choice] : [choice]));
    const at = x * choices.length;
    return pick(pick(choices, at / choices.length), at - Math.floor(at));
  };
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width >= 2 && box.height >= 2 && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  };
  const usable = (el) => !el.disabled && !el.closest("fieldset:disabled, a[href], [inert]") && !el.readOnly &&
    el.getAttribute("aria-disabled") !== "true" && (el.type === "file" || visible(el));
  const short = (text) => JSON.stringify(text.replace(/\s+/g, " ").trim().slice(0, 40));
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += `#${el.id}`;
    else if (el.type && el.tagName === "INPUT") text += `[type=${el.type}]`;
    if (el.name) text += `[name=${el.name}]`;
    if (!el.id) {
      const name = el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || el.value || "";
      if (name.trim()) text += ` ${short(name)}`;
    }
    return text;
  };
  const shown = () => [...document.querySelectorAll("[role=alert], [role=status], [aria-live]")]
    .filter((el) => el.checkVisibility() && el.textContent.trim())
    .map((el) => `${describe(el)}: ${el.textContent.trim()}`);
  if (kind === "look") return { shown: shown(), page: document.body.innerText.split("\n") };
  const fire = (el, ...types) => { for (const type of types) el.dispatchEvent(new Event(type, { bubbles: true })); };
  const targets = Object.fromEntries(Object.entries(SELECTORS).map(([k, selector]) =>
    [k, [...document.querySelectorAll(selector)].filter(usable)]));
  targets.select = targets.select.filter((el) => el.options.length > 0);
  const available = Object.keys(targets).filter((k) => targets[k].length);

  const act = () => {
    if (kind === "hash") {
      location.hash = hash;
      return { what: `set location.hash = ${JSON.stringify(hash)}` };
    }
    if (kind === "drop") {
      const target = r[1] < 0.5 ? document.body : pick([...document.querySelectorAll("body *")], r[2]);
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(drop.bytes)], drop.name, { type: drop.type }));
      for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
      return { what: `drop file ${drop.name} on ${describe(target)}` };
    }
    if (kind === "key" && r[2] < 0.5) {
      document.activeElement?.blur?.();
      return { what: "press", on: "the page" };
    }
    const list = targets[kind];
    if (!list?.length) return { skip: `nothing to ${kind}` };
    const el = pickWeighted(list, r[1]);
    const what = describe(el);
    if (kind === "key") {
      el.focus();
      return { what: "press", on: what };
    }
    if (kind === "select") {
      const option = pick([...el.options], r[2]);
      el.value = option.value;
      fire(el, "input", "change");
      return { what: `select ${what}: option ${short(option.textContent)} (value ${JSON.stringify(option.value)}` +
        `${option.disabled ? ", disabled" : ""})` };
    }
    if (kind === "toggle") {
      el.click();
      return { what: `click ${what} (now ${el.checked ? "checked" : "unchecked"})` };
    }
    if (kind === "type") {
      el.focus();
      if (r[3] < 0.3 && el.type !== "range") {
        el.select?.();
        return { what: `type ${JSON.stringify(junk)} with the keyboard into ${what}`, keyboard: true };
      }
      el.value = junk;
      fire(el, "input", "change");
      return { what: `set ${what} to ${JSON.stringify(junk)} (reads ${JSON.stringify(el.value)}) + input, change` };
    }
    if (kind === "file") {
      return { what: `choose files for ${what}`, index: [...document.querySelectorAll(SELECTORS.file)].indexOf(el) };
    }
    // Mouse actions: on screen, at a point where the control is the top element.
    el.scrollIntoView({ block: "center", inline: "center" });
    const box = el.getBoundingClientRect();
    const margin = kind === "click" ? 0.2 : 0;
    const x = box.left + box.width * (margin + (1 - 2 * margin) * r[2]);
    const y = box.top + box.height * (margin + (1 - 2 * margin) * r[3]);
    const hit = document.elementFromPoint(x, y);
    // A canvas may lie under a transparent layer that takes its events (a chart's cursor layer).
    const mine = el === hit || el.contains(hit) || (el.tagName === "LABEL" && el.control === hit) ||
      (el.tagName === "CANVAS" && el.parentElement.contains(hit));
    if (!hit || hit.closest("a[href]") || !mine) {
      return { skip: `${what} is covered by ${hit ? describe(hit) : "nothing"} at that point` };
    }
    return { what: `${kind === "click" ? "click" : kind === "tap" ? "click on" : "draw a stroke on"} ${what}`,
      x, y, box: { x: box.left, y: box.top, width: box.width, height: box.height } };
  };
  const before = shown();
  return { ...act(), available, shown: before };
}

// ---- the part that runs in the test

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
const describeFiles = (files) => files.map((f) => f.name).join(" + ");

/**
 * Drives `page` with seeded random actions: run(count, badText) performs them. log holds a line
 * per action ({ n, text }, with notes such as a download under the action they followed);
 * problems what went wrong ({ text, action, count }: action = the last action before it was
 * first seen, null after run() ended).
 */
export class Monkey {
  log = [];
  problems = [];
  done = false;   // run() has ended: problems now come from the checks
  #count = 0;
  #page;
  #random;
  #chooserRandom;  // file choosers open asynchronously: their own stream keeps #random in step
  #hashes;
  #files;
  #available = new Set(Object.keys(KINDS));
  #start;
  #errorsSeen = 0;

  /** hashes: junk hashes to try (pages that read the hash), [] for none. */
  constructor(page, seed, { hashes = [] } = {}) {
    this.#page = page;
    this.#random = makeRandom(seed);
    this.#chooserRandom = makeRandom(seed ^ 0x9e3779b9);
    this.#files = junkFiles(makeRandom(seed + 1));
    this.#hashes = hashes;
    this.#start = page.url().split("#")[0];
    page.on("dialog", (dialog) => {
      this.#note(`(a ${dialog.type()} dialog said ${JSON.stringify(dialog.message())}: dismissed)`);
      dialog.dismiss().catch(() => {});
    });
    page.on("filechooser", (chooser) => {
      const files = this.#chooseFiles(chooser.isMultiple(), this.#chooserRandom(), this.#chooserRandom());
      this.#note(`(a file chooser opened: chose ${describeFiles(files)})`);
      chooser.setFiles(files).catch(() => {});
    });
    page.on("download", (download) => this.#note(`(download: ${download.suggestedFilename()})`));
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame() && frame.url().split("#")[0] !== this.#start) {
        this.record(`the page navigated away to ${frame.url()}`);
      }
    });
    page.on("popup", (popup) => {
      this.record(`a popup opened: ${popup.url()}`);
      popup.close().catch(() => {});
    });
    page.on("crash", () => this.record("the page crashed"));
    page.on("close", () => { if (!this.done) this.record("the page closed during the actions"); });
  }

  /** Notes a problem seen after action `action` (the last one); the same text again only counts. */
  record(text, action = this.#count) {
    const known = this.problems.find((p) => p.text === text);
    if (known) known.count++;
    else this.problems.push({ text, action: this.done ? null : action, count: 1 });
  }

  /** Records the page errors that arrived since the last look (page.errors, from browser.mjs). */
  collectErrors() {
    for (const error of this.#page.errors.slice(this.#errorsSeen)) this.record(`page error: ${error}`);
    this.#errorsSeen = this.#page.errors.length;
  }

  /**
   * Records the texts the page shows that badText finds bad: those of alerts, statuses and live
   * regions, and any other line of the page.
   */
  async look(badText) {
    const { shown, page } = await this.#page.evaluate(actInPage, { kind: "look" });
    for (const text of shown) if (badText(text)) this.record(`shown to the user: ${text}`);
    const told = this.problems.map((p) => p.text).join("\n");
    for (const line of page) if (badText(line) && !told.includes(line)) this.record(`shown on the page: ${line}`);
  }

  /** The log lines of the k actions up to action n. */
  actionsUpTo(n, k = 15) {
    return this.log.filter((line) => line.n <= n && line.n > n - k).map((line) => line.text);
  }

  #note(text) {
    this.log.push({ n: this.#count, text: `    ${text}` });
  }

  // One file, or for an input that takes several sometimes a pair with the random weights.bin.
  #chooseFiles(multiple, a, b) {
    const first = this.#files[Math.floor(a * this.#files.length)];
    const bin = this.#files.find((f) => f.name.endsWith(".bin"));
    return !multiple || b < 0.6 || first === bin ? [first] : [first, bin];
  }

  /** Performs count actions; badText(text) says whether a text shown to the user is an internal error. */
  async run(count, badText) {
    for (let i = 0; i < count && !this.#page.isClosed(); i++) {
      const r = this.#draws();
      if (r[6] < 0.06) {
        // A burst: a few actions at once, none waiting for another.
        const burst = makeRandom(Math.floor(r[5] * 2 ** 32));
        const size = 2 + Math.floor(r[4] * 3);
        this.#note(`(a burst of ${size} actions at once:)`);
        const draws = Array.from({ length: size }, () => Array.from({ length: DRAWS }, burst));
        await Promise.all(draws.map((d) => this.#act(d, badText)));
      } else {
        await this.#act(r, badText);
      }
      await this.#pause(r[7]);
      this.collectErrors();
    }
    this.done = true;
  }

  /** How many actions were done (those of bursts included). */
  get actions() {
    return this.#count;
  }

  #draws() {
    return Array.from({ length: DRAWS }, this.#random);
  }

  #pickKind(x) {
    const kinds = Object.entries(KINDS).filter(([k]) => (k === "hash" ? this.#hashes.length > 0 :
      k === "drop" || k === "key" || this.#available.has(k)));
    let at = x * kinds.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [kind, weight] of kinds) {
      at -= weight;
      if (at < 0) return kind;
    }
    return kinds.at(-1)[0];
  }

  async #act(r, badText) {
    const kind = this.#pickKind(r[0]);
    const junk = JUNK[Math.floor(r[4] * JUNK.length)];
    const hash = this.#hashes[Math.floor(r[4] * this.#hashes.length)];
    const file = this.#files[Math.floor(r[4] * this.#files.length)];
    const drop = kind === "drop" ? { name: file.name, type: file.mimeType, bytes: [...file.buffer] } : null;
    const key = KEYS[Math.floor(r[3] * KEYS.length)];
    const files = this.#chooseFiles(true, r[4], r[5]);
    const line = { n: ++this.#count, text: "" };
    this.log.push(line);
    let result;
    try {
      result = await this.#page.evaluate(actInPage, { kind, r, junk, hash, drop });
    } catch (error) {
      line.text = `#${line.n} ${kind}: the page did not answer (${error.message.split("\n")[0]})`;
      return;
    }
    this.#available = new Set(result.available);
    // shown before this action: after the previous one
    for (const text of result.shown) if (badText(text)) this.record(`shown to the user: ${text}`, line.n - 1);
    line.text = `#${line.n} ${result.skip ? `(skipped: ${result.skip})` : result.what === "press" ?
      `press ${JSON.stringify(key)} on ${result.on}` : kind === "file" ? `${result.what}: ${describeFiles(files)}` :
        result.what}`;
    if (result.skip) return;
    try {
      const reads = await this.#finish(kind, result, r, { key, junk, files });
      if (reads !== undefined) line.text += ` (reads ${JSON.stringify(reads)}), then leave it`;
    } catch (error) {
      this.#note(`(playwright: ${error.message.split("\n")[0]})`);
    }
  }

  // The part of an action that needs the real mouse, keyboard or file chooser; typing returns
  // what the field reads then.
  async #finish(kind, result, r, { key, junk, files }) {
    const page = this.#page;
    const { mouse } = page;
    if (result.what === "press") {
      await page.keyboard.press(key);
    } else if (result.keyboard) {
      await page.keyboard.press("Control+a");
      await page.keyboard.type(junk);
      return await page.evaluate(() => {
        const field = document.activeElement;
        field?.blur();  // a change event, as leaving the field
        return field?.value;
      });
    } else if (kind === "file") {
      await page.locator("input[type=file]").nth(result.index).setInputFiles(files, { timeout: 5000 });
    } else if (kind === "click" || kind === "tap") {
      await mouse.click(result.x, result.y);
    } else if (kind === "stroke") {
      const random = makeRandom(Math.floor(r[5] * 2 ** 32));
      const { box } = result;
      try {
        await mouse.move(result.x, result.y);
        await mouse.down();
        for (let k = 1 + Math.floor(random() * 8); k > 0; k--) {
          // mostly inside the canvas, sometimes a little past its edge
          await mouse.move(box.x + box.width * (1.2 * random() - 0.1), box.y + box.height * (1.2 * random() - 0.1),
            { steps: 1 + Math.floor(random() * 4) });
        }
      } finally {
        await mouse.up();
      }
    }
  }

  // Mostly no wait (the next action comes at once), else up to 100 ms, now and then most of a
  // second, while training runs. The long waits are logged.
  async #pause(x) {
    if (x < 0.7) return;
    const ms = x < 0.98 ? ((x - 0.7) / 0.28) * 100 : 300 + 700 * ((x - 0.98) / 0.02);
    if (ms > 100) this.#note(`(wait ${Math.round(ms)} ms)`);
    await sleep(ms);
  }
}
