// Lesson 003, the page: wiring only. The session (003-neuron/session.js) computes every value
// and trains the network; the views render its snapshots; the fields send it commands.
import { $ } from "../lib/dom.js";
import { NeuronSession } from "./003-neuron/session.js";
import { renderPeople, renderTraining, renderValues } from "./003-neuron/views.js";
import { CurveView, nextFrame, renderAlert, startLesson, textsOf } from "./lesson.js";

const NEURON = { w1: $("n-w1"), w2: $("n-w2"), b: $("n-b"), x1: $("n-x1"), x2: $("n-x2") };
const TRAINING = { lr: $("train-lr"), epochs: $("train-epochs") };
const YOU = { weight: $("you-weight"), height: $("you-height") };

startLesson("003-neuron", (nn) => {
  const session = new NeuronSession(nn, { nextFrame });
  const chart = new CurveView($("loss-chart"), { series: [{ label: "loss (MSE)", stroke: "#0877bd" }], log: true });
  renderPeople();
  session.subscribe((snapshot) => {
    renderAlert(snapshot, { ...NEURON, ...TRAINING, ...YOU });
    renderValues(snapshot);
    renderTraining(snapshot);
    if (snapshot.training) chart.render(snapshot.training.run, snapshot.training.curve);
  });

  const setNeuron = () => session.setNeuron(textsOf(NEURON));
  const train = () => session.train(textsOf(TRAINING));
  const predict = () => session.predict(textsOf(YOU));
  for (const input of Object.values(NEURON)) input.addEventListener("input", setNeuron);
  $("train-again").addEventListener("click", train);
  for (const input of Object.values(TRAINING)) input.addEventListener("change", train);
  for (const input of Object.values(YOU)) input.addEventListener("input", predict);
  return Promise.all([setNeuron(), predict(), train()]);
});
