// The answer in words and what the network saw: "7 100% sure" (#digit-prediction, whose first
// digit is the predicted class, docs/API.md) and the 28×28 input the pad's drawing became.
// Screen readers hear the answer once a stroke ends (a polite live region), not while it grows.
import { element } from "../lib/dom.js";
import { grayCanvas } from "../lib/mnist/pictures.js";

export class PredictionView {
  #text;
  #input;
  #announce;

  /** text: the prediction's element; input: the 28×28 canvas; announce: a live region. */
  constructor(text, input, announce) {
    this.#text = text;
    this.#input = input;
    this.#announce = announce;
  }

  /**
   * result: a classification { label, probabilities, input28, empty } (session.classify);
   * final: the drawing is not in the middle of a stroke (then the answer is announced).
   */
  show({ label, probabilities, input28, empty }, { final = true } = {}) {
    grayCanvas(input28, 28, 28, { canvas: this.#input });
    const sure = empty ? "" : `${(100 * probabilities[label]).toFixed(0)}% sure`;
    if (empty) this.#text.replaceChildren("Draw a digit");
    else this.#text.replaceChildren(element("span", "label", String(label)), element("span", "sure", ` ${sure}`));
    const words = empty ? "The pad is empty." : `The network reads ${label}, ${sure}.`;
    if (final && this.#announce.textContent !== words) this.#announce.textContent = words;
  }
}
