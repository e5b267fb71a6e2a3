// What every lesson page shares on its DOM side: starting the page (the core, the links to the
// neighbouring lessons, window.nnplay.ready of docs/API.md), the animation-frame pace of its
// session's jobs, and the small views every session's snapshot needs: the alert with the field
// at fault, the Play button, a live chart, the playground link. Every number a lesson shows is
// computed by the WASM core while the page runs; the pages only hold the tutorials' settings
// (inputs), never their results.
import { LineChart } from "../lib/chart.js";
import { $, element } from "../lib/dom.js";
import { lessons } from "../lib/lessons.js";
import { loadNN } from "../lib/nnplay.js";

/** A Promise resolved at the next animation frame: the pace of the sessions' jobs. */
export const nextFrame = () => new Promise((resolve) => { requestAnimationFrame(resolve); });

/**
 * Starts lesson `id`: links the previous and next lessons, loads the core and runs
 * setup(nn). window.nnplay.ready resolves once setup has (the page is usable then).
 */
export function startLesson(id, setup) {
  linkNeighbours(id);
  // Lessons train small networks on the page's own thread: one core thread, no waits on others.
  const ready = loadNN({ threads: 1 }).then(setup);
  ready.catch((error) => showAlert(`This lesson could not start: ${error.message}`));
  window.nnplay = { ready, lesson: id };
  return ready;
}

function linkNeighbours(id) {
  const at = lessons.findIndex((lesson) => lesson.id === id);
  const link = (lesson, text, rel) => {
    const a = element("a", rel, text);
    a.href = lesson.url;
    a.rel = rel;
    return a;
  };
  const index = element("a", "index", "All lessons");
  index.href = "./";
  $("lesson-nav").replaceChildren(
    at > 0 ? link(lessons[at - 1], `← ${lessons[at - 1].title}`, "prev") : element("span"),
    index,
    at + 1 < lessons.length ? link(lessons[at + 1], `${lessons[at + 1].title} →`, "next") : element("span"));
}

function showAlert(text) {
  setText($("lesson-error"), text);
  $("lesson-error").hidden = !text;
}

/**
 * Renders a snapshot's alert in the page's role="alert" element and marks the field it names
 * (fields: { key: input element }) with aria-invalid.
 */
export function renderAlert({ alert, invalid }, fields = {}) {
  showAlert(alert);
  for (const [key, input] of Object.entries(fields)) {
    const value = String(key === invalid);
    if (input.getAttribute("aria-invalid") !== value) input.setAttribute("aria-invalid", value);
  }
}

/** Sets a node's text, only when it changes (a frame's render leaves the rest alone). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** The texts of these inputs, by key: { key: element }. */
export const textsOf = (fields) => Object.fromEntries(Object.entries(fields).map(([key, input]) => [key, input.value]));

/**
 * The Play/Pause button of a TrainingSession (training-session.js): shows its play state, and
 * says when training starts, pauses or is done in a polite live region (announce), not every epoch.
 */
export class PlayButton {
  #button;
  #announce;
  #play = null;

  constructor(button, onClick, announce) {
    this.#button = button;
    this.#announce = announce;
    button.addEventListener("click", onClick);
  }

  /** play: "playing", "paused", "done" or "off" (no network: Play says why); epoch: trained so far. */
  render({ play, epoch }) {
    setText(this.#button, { playing: "Pause", done: "Done" }[play] ?? "Play");
    this.#button.disabled = play === "done";
    if (play === this.#play) return;
    this.#play = play;
    setText(this.#announce, { playing: "Training…", paused: `Paused at epoch ${epoch}.`,
      done: `Done: trained ${epoch} epochs.` }[play] ?? "");
  }
}

/**
 * A live chart of a snapshot's curve: points [[x, ...values], ...] of one run (run: anything
 * that changes when the curve starts over). Only new points are added.
 */
export class CurveView {
  #chart;
  #pick;
  #run;
  #shown = 0;

  /** options: LineChart's (lib/chart.js); pick(point): the values charted, one per series. */
  constructor(container, options, pick = (point) => point.slice(1)) {
    this.#chart = new LineChart(container, options);
    this.#pick = pick;
  }

  render(run, points) {
    if (run !== this.#run || points.length < this.#shown) {
      this.#chart.clear();
      this.#run = run;
      this.#shown = 0;
    }
    for (; this.#shown < points.length; this.#shown++) this.#chart.push(points[this.#shown][0], this.#pick(points[this.#shown]));
    this.#chart.draw();
  }
}

/** Points `anchor` at the playground opened with a state (its hash, "v=1&..."; "": the defaults). */
export function showPlaygroundLink(anchor, hash) {
  const url = new URL(hash ? `../#${hash}` : "../", location.href).href;
  if (anchor.href !== url) anchor.href = url;
}
