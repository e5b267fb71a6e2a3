// The lesson index: one entry per lesson of list.js, with what it teaches.
import { lessons } from "../lib/lessons.js";

const SUMMARIES = {
  "000-moons": "A deep network written as a list of layers (2-25-50-50-25-1, ReLU and a " +
    "sigmoid output) learns the two-moons data with binary cross-entropy; watch its decision " +
    "boundary form and its test accuracy reach about 95%.",
  "001-breast-cancer": "A two-layer ReLU/sigmoid network tells malignant from benign tumours " +
    "(Wisconsin data). Then look at the loss landscape around the trained weights and watch " +
    "gradient descent walk on it, with and without momentum and learning-rate annealing.",
  "002-xor": "Layers as objects with forward and backward passes: a 2-3-1 tanh network learns " +
    "XOR one sample at a time, and a diagram shows every layer's output and the error flowing back.",
  "003-neuron": "One neuron by hand, a 2-2-1 network by hand, the mean squared error " +
    "and one partial derivative for Alice, then training on four people to guess Emily and Frank.",
  "004-backprop": "Backpropagation on a 1-1-1 network with every z, a and derivative to seven " +
    "digits, editable; then the 784-30-10 MNIST network, what its hidden units look for, and the " +
    "noise it confidently calls a digit.",
};

const list = document.getElementById("lesson-list");
list.replaceChildren(...lessons.map(({ id, title, url }) => {
  const item = document.createElement("li");
  const number = document.createElement("span");
  number.className = "number";
  number.textContent = id.slice(0, 3);
  const link = document.createElement("a");
  link.href = url;
  link.textContent = title;
  const summary = document.createElement("p");
  summary.textContent = SUMMARIES[id] ?? "";
  item.append(number, link, summary);
  return item;
}));
window.nnplay = { ready: Promise.resolve() };
