// Lesson 004's MNIST part: the training's status, log, result and curves, the buttons, and the
// shared views (lib/mnist) of the hidden units' weights and of the network's answers to noise.
// Renders the `mnist` part of BackpropSession snapshots. Screen readers hear when training
// starts and ends (#mnist-announce), not the status line's progress; the result is live itself.
import { $ } from "../../lib/dom.js";
import { TrainingCurves } from "../../lib/mnist/curves.js";
import { showNoise, showWeights } from "../../lib/mnist/network-views.js";
import { setText } from "../lesson.js";

export class MnistView {
  #curves = new TrainingCurves($("mnist-curves"));
  #shown = null;  // the mnist snapshot rendered last
  #curvePoints = 0;

  render({ mnist }) {
    const shown = this.#shown;
    if (!mnist || mnist === shown) return;
    this.#shown = mnist;
    setText($("mnist-status"), mnist.status);
    if (shown && mnist.training !== shown.training) setText($("mnist-announce"), mnist.training ? "Training started." : mnist.status);
    $("mnist-progress").value = mnist.progress;
    setText($("mnist-result"), mnist.result);
    $("mnist-train").disabled = mnist.training;
    $("mnist-stop").disabled = !mnist.training;
    const log = $("mnist-log");
    log.hidden = mnist.log === null;
    if (mnist.log !== shown?.log) {
      log.textContent = mnist.log ?? "";
      log.scrollTop = log.scrollHeight;
    }
    this.#renderCurves(mnist, shown);
    if (mnist.firstLayer !== shown?.firstLayer) {
      showWeights(mnist.firstLayer, { tiles: $("hidden-units"), note: $("units-note") });
      if (!mnist.trained) {
        $("units-note").textContent = "Untrained: each hidden neuron's 784 weights are random. " +
          "Train the network to see what they become (red pixels raise a neuron's input, blue lower it).";
      }
    }
    if (mnist.noise !== shown?.noise) showNoise(mnist.noise, { tiles: $("noise"), note: $("noise-note") });
  }

  #renderCurves({ run, points }, shown) {
    if (run !== shown?.run) {
      this.#curves.reset();
      this.#curvePoints = 0;
    }
    for (; this.#curvePoints < points.length; this.#curvePoints++) {
      const [set, epochs, loss, accuracy] = points[this.#curvePoints];
      if (set === "train") this.#curves.addTrain(epochs, loss, accuracy);
      else this.#curves.addTest(epochs, loss, accuracy);
    }
  }
}
