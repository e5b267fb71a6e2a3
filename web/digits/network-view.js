// Inside the model reading the pad: its first layer's weights as pictures and what it says
// about random noise (lib/mnist/network-views.js, shared with lesson 004). Renders session
// snapshots: the weights and the noise outputs are data the session gives, never a network.
import { showNoise, showWeights } from "../lib/mnist/network-views.js";

export class NetworkView {
  #view;
  #shown = { weights: null, noise: undefined };

  /** view: { weights, weightsNote, noise, noiseNote } elements. */
  constructor(view) {
    this.#view = view;
  }

  render({ model }) {
    if (!model) return;
    const { weights, weightsNote, noise, noiseNote } = this.#view;
    if (model.firstWeights !== this.#shown.weights) showWeights(model.firstWeights, { tiles: weights, note: weightsNote });
    if (model.noise !== this.#shown.noise) showNoise(model.noise, { tiles: noise, note: noiseNote });
    this.#shown = { weights: model.firstWeights, noise: model.noise };
  }
}
