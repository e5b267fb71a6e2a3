// The answer in words and what the network saw: "7 100% sure" (#digit-prediction, whose first
// digit is the predicted class, docs/API.md) and the 28×28 input the pad's drawing became.
import { element } from "../lib/dom.js";
import { grayCanvas } from "../lib/mnist/pictures.js";

export class PredictionView {
  #text;
  #input;

  /** text: the prediction's element; input: the 28×28 canvas. */
  constructor(text, input) {
    this.#text = text;
    this.#input = input;
  }

  /** result: a classification { label, probabilities, input28, empty } (session.classify). */
  show({ label, probabilities, input28, empty }) {
    grayCanvas(input28, 28, 28, { canvas: this.#input });
    if (empty) {
      this.#text.replaceChildren("Draw a digit");
      return;
    }
    this.#text.replaceChildren(element("span", "label", String(label)),
      element("span", "sure", ` ${(100 * probabilities[label]).toFixed(0)}% sure`));
  }
}
