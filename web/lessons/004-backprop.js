// Lesson 004, the page: wiring only. The session (004-backprop/session.js) computes the step
// and holds the MNIST network; the shared MNIST worker (lib/mnist/client.js) trains; the views
// render the session's snapshots; the controls send it commands.
import { $ } from "../lib/dom.js";
import { Trainer } from "../lib/mnist/client.js";
import { MnistView } from "./004-backprop/mnist-view.js";
import { BackpropSession } from "./004-backprop/session.js";
import { StepView } from "./004-backprop/step-view.js";
import { nextFrame, renderAlert, startLesson } from "./lesson.js";

const VALUES = { x: $("in-x"), y: $("in-y"), w1: $("in-w1"), b1: $("in-b1"), w2: $("in-w2"), b2: $("in-b2"),
  lr: $("in-lr") };
const MNIST = { mnistEpochs: $("mnist-epochs"), mnistLr: $("mnist-lr") };

startLesson("004-backprop", (nn) => {
  const trainer = new Trainer((message) => session.mnistEvent(message), (reason) => session.workerDied(reason));
  const session = new BackpropSession(nn, { nextFrame, trainer });
  const step = new StepView(VALUES, (name, text) => session.editValue(name, text));
  const mnist = new MnistView();
  session.subscribe((snapshot) => {
    renderAlert(snapshot, { ...VALUES, ...MNIST });
    step.render(snapshot);
    mnist.render(snapshot);
  });

  $("take-step").addEventListener("click", () => session.takeStep());
  $("tutorial-values").addEventListener("click", () => session.tutorialValues());
  $("mnist-train").addEventListener("click", () => session.trainMnist({ epochs: MNIST.mnistEpochs.value,
    lr: MNIST.mnistLr.value }));
  $("mnist-stop").addEventListener("click", () => session.stopMnist());
  $("noise-again").addEventListener("click", () => session.newNoise());
  // The page opens on the tutorial's values (a reload may have kept other ones in the fields).
  return session.tutorialValues();
});
