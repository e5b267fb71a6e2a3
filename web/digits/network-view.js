// Inside the model reading the pad: its first layer's weights as pictures and what it says
// about random noise (lib/mnist/network-views.js, shared with lesson 004). Renders session
// snapshots: the weights and the noise outputs are data the session gives, never a network.
import { NoiseView, WeightsView } from "../lib/mnist/network-views.js";

export class NetworkView {
  #weights;
  #noise;
  #shown = { weights: null, noise: undefined };

  /** view: { weights, weightsNote, noise, noiseNote } elements. */
  constructor({ weights, weightsNote, noise, noiseNote }) {
    this.#weights = new WeightsView(weights, weightsNote);
    this.#noise = new NoiseView(noise, noiseNote);
  }

  render({ model }) {
    if (!model) return;
    if (model.firstWeights !== this.#shown.weights) this.#weights.show(model.firstWeights);
    if (model.noise !== this.#shown.noise) {
      if (model.noise) this.#noise.show(model.noise);
      else this.#noise.waiting();
    }
    this.#shown = { weights: model.firstWeights, noise: model.noise };
  }
}
