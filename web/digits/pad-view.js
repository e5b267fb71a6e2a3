// The pad as a view: the drawing pad (pad.js) with its Clear and Undo buttons and keys, read
// through classify (the session's look, which also shows the drawing inside the model) as a
// stroke grows — at most every LIVE_INTERVAL ms — when
// the drawing changes otherwise, and when another model starts reading it. The answer goes to
// show(result). The strokes are this view's own: the session never needs them.
import { DrawingPad } from "./pad.js";

const LIVE_INTERVAL = 80;  // ms between classifications while a stroke is being drawn

export class PadView {
  #pad;
  #classify;
  #show;
  #modelId = null;  // the model that read the pad last; none before the first
  #last = 0;        // performance.now() of the last classification
  #timer = null;

  /**
   * elements: { canvas, pen, clear, undo } (pen: the keyboard pen's ring). classify(gray,
   * width, height, { final }) -> a classification (session.look; final: the drawing is not in
   * the middle of a stroke); show(result, { final }) renders it.
   */
  constructor({ canvas, pen, clear, undo }, { classify, show }) {
    this.#classify = classify;
    this.#show = show;
    this.#pad = new DrawingPad(canvas, (final) => this.#changed(final), { pen });
    clear.addEventListener("click", () => this.#pad.clear());
    undo.addEventListener("click", () => this.#pad.undo());
    canvas.addEventListener("keydown", (event) => {
      if (event.key === "Escape" || event.key === "Delete") this.#pad.clear();
    });
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest?.("input, select, textarea");
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !typing) {
        event.preventDefault();
        this.#pad.undo();
      }
    });
  }

  /** A session snapshot: a new model reads the drawing again. */
  render({ model }) {
    if (!model || model.id === this.#modelId) return;
    this.#modelId = model.id;
    this.#read();
  }

  // A stroke that grows is read at most every LIVE_INTERVAL ms; a finished change at once
  // (which also drops a reading still waiting: clear or undo during a stroke).
  #changed(final) {
    if (this.#modelId === null) return;
    clearTimeout(this.#timer);
    const wait = LIVE_INTERVAL - (performance.now() - this.#last);
    if (final || wait <= 0) this.#read(final);
    else this.#timer = setTimeout(() => this.#read(false), wait);
  }

  #read(final = true) {
    clearTimeout(this.#timer);
    this.#last = performance.now();
    this.#show(this.#classify(this.#pad.gray(), this.#pad.width, this.#pad.height, { final }), { final });
  }
}
