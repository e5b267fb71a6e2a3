// What every lesson page shares: loading the core, the error alert, the links to the other
// lessons, number formatting, animation-frame loops and window.nnplay.ready (CONTRACT §4).
// Every number a lesson shows is computed by the WASM core while the page runs; the pages only
// hold the tutorials' settings (inputs), never their results.
import { lessons } from "../lib/lessons.js";
import { loadNN } from "../lib/nnplay.js";
import { PlaygroundRules, defaultState } from "../lib/plane/state.js";

export const $ = (id) => document.getElementById(id);

/** A new element with an optional class and text. */
export function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Shows an error in the page's role="alert" element (null clears it). */
export function showError(error) {
  const alert = $("lesson-error");
  alert.textContent = error ? String(error.message ?? error) : "";
  alert.hidden = !error;
}

/**
 * Starts lesson `id`: links the previous and next lessons, loads the core and runs
 * setup(nn). window.nnplay.ready resolves once setup has (the page is usable then).
 */
export function startLesson(id, setup) {
  linkNeighbours(id);
  const ready = loadNN().then(setup);
  ready.catch(showError);
  window.nnplay = { ready, lesson: id };
  return ready;
}

function linkNeighbours(id) {
  const nav = $("lesson-nav");
  const at = lessons.findIndex((lesson) => lesson.id === id);
  const link = (lesson, text, rel) => {
    const a = element("a", rel, text);
    a.href = lesson.url;
    a.rel = rel;
    return a;
  };
  const index = element("a", "index", "All lessons");
  index.href = "./";
  nav.replaceChildren(
    at > 0 ? link(lessons[at - 1], `← ${lessons[at - 1].title}`, "prev") : element("span"),
    index,
    at + 1 < lessons.length ? link(lessons[at + 1], `${lessons[at + 1].title} →`, "next") : element("span"));
}

/**
 * A float32 result as text: the fewest significant digits, 7 at least, that still name the
 * exact float32 value the core computed (so 1.124 shows as 1.124000, 0.75472993 in full).
 */
export function float32Text(value) {
  if (!Number.isFinite(value)) return String(value);
  const f = Math.fround(value);
  for (let digits = 7; digits < 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return text;
  }
  return f.toPrecision(9);
}

export const percent = (p, digits = 1) => (Number.isFinite(p) ? `${(100 * p).toFixed(digits)}%` : "–");
export const fixed = (v, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/**
 * Calls work() once per animation frame until it returns false or stop() is called.
 * Returns { done: Promise (true when work finished, false when stopped), stop }.
 */
export function everyFrame(work) {
  let stopped = false;
  const done = new Promise((resolve, reject) => {
    const frame = () => {
      if (stopped) return resolve(false);
      try {
        if (work() === false) return resolve(true);
      } catch (error) {
        return reject(error);
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  return { done, stop: () => { stopped = true; } };
}

/**
 * The number typed in `input`; throws an Error naming the field (its label) when the text is
 * not a finite number, and marks the field invalid until it is.
 */
export function readNumber(input) {
  const value = input.value.trim() === "" ? NaN : Number(input.value);
  input.setAttribute("aria-invalid", String(!Number.isFinite(value)));
  if (!Number.isFinite(value)) {
    const name = input.labels?.[0]?.textContent.trim() || input.id;
    throw new Error(`${name}: expected a number, got ${JSON.stringify(input.value.slice(0, 20))}`);
  }
  return value;
}

/** readNumber for a whole number in [low, high]. */
export function readInteger(input, low, high) {
  const value = readNumber(input);
  if (!Number.isInteger(value) || value < low || value > high) {
    input.setAttribute("aria-invalid", "true");
    const name = input.labels?.[0]?.textContent.trim() || input.id;
    throw new Error(`${name}: expected a whole number from ${low} to ${high}, got ${value}`);
  }
  return value;
}

/**
 * A training loop behind a play/pause button: play() calls frame() once per animation frame
 * until it returns false (the button then says "Done" until reset()) or pause() is called.
 */
export class PlayButton {
  #button;
  #frame;
  #onDone;
  #run = null;
  #finished = false;

  constructor(button, frame, { onDone } = {}) {
    this.#button = button;
    this.#frame = frame;
    this.#onDone = onDone;
    button.addEventListener("click", () => (this.#run ? this.pause() : this.play()));
  }

  #show(text) {
    this.#button.textContent = text;
    this.#button.disabled = text === "Done";
  }

  play() {
    if (this.#run || this.#finished) return;
    const run = everyFrame(this.#frame);
    this.#run = run;
    this.#show("Pause");
    run.done.then((finished) => {
      if (this.#run !== run) return;  // paused or reset meanwhile
      this.#run = null;
      this.#finished = finished;
      this.#show(finished ? "Done" : "Play");
      if (finished) this.#onDone?.();
    }, (error) => {
      if (this.#run === run) this.pause();
      showError(error);
    });
  }

  pause() {
    this.#run?.stop();
    this.#run = null;
    this.#show("Play");
  }

  /** Stops the loop; play() starts a new one. */
  reset() {
    this.pause();
    this.#finished = false;
  }
}

/** Dense layers from [units, activation] pairs (the tutorials' lists of layers). */
export const denseLayers = (pairs) => pairs.map(([units, activation]) => ({ type: "dense", units, activation }));

/** A network config as the call that builds it, one field (and one layer) a line. */
export function configText(config) {
  const value = (v) => (Array.isArray(v) && v.some((item) => typeof item === "object") ?
    `[\n${v.map((item) => `    ${JSON.stringify(item)},`).join("\n")}\n  ]` : JSON.stringify(v));
  return `nn.createNetwork({\n${Object.entries(config).map(([key, v]) => `  ${key}: ${value(v)},`).join("\n")}\n});`;
}

/**
 * The playground's share link for a state: `state`'s fields, the defaults (a preset's, for a
 * preset) for the rest. Throws an Error naming a field the playground refuses.
 */
export function playgroundLink(nn, state) {
  const rules = new PlaygroundRules({ schema: nn.schema, datasets: nn.datasets.names() });
  const hash = rules.encode(rules.validate({ ...defaultState(state.dataset), ...state }));
  return new URL(`../#${hash}`, location.href).href;
}
