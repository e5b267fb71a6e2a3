// Lesson 003's views: the values of the neuron, the 2-2-1 network and Alice's pass, the table
// of people, and the training's numbers and predictions. Render NeuronSession snapshots.
import { $, element } from "../../lib/dom.js";
import { fixed, float32Text } from "../format.js";
import { setText } from "../lesson.js";
import { PEOPLE, shifted } from "./session.js";

const show = (id, value) => setText($(id), value === undefined ? "" : float32Text(value));

/** The tutorial's people as a table (they never change). */
export function renderPeople() {
  $("people").replaceChildren(...PEOPLE.map((p) => {
    const row = element("tr");
    const name = element("th", "", p.name);
    name.scope = "row";
    row.append(name, element("td", "num", String(p.weight)), element("td", "num", String(p.height)),
      element("td", "", p.gender ? "F" : "M"), element("td", "num", `(${shifted(p).join(", ")})`),
      element("td", "num", String(p.gender)));
    return row;
  }));
}

/** The neuron, the network and Alice: every value to float32 precision. */
export function renderValues({ neuron, network, alice }) {
  setText($("neuron-z"), neuron ? float32Text(neuron.z) : "–");
  setText($("neuron-out"), neuron ? float32Text(neuron.out) : "–");
  show("net-h1", network?.h1);
  show("net-h2", network?.h2);
  show("net-out", network?.out);
  for (const key of ["h1", "pred", "loss", "dpred", "dh1", "dw1"]) show(`alice-${key}`, alice?.[key]);
}

/** The training's numbers (its chart is a CurveView), then Emily's, Frank's and the reader's predictions. */
export function renderTraining({ training, you }) {
  if (training) {
    setText($("train-epoch"), String(training.epoch));
    setText($("train-loss"), fixed(training.loss, 4));
    setText($("train-status"), training.done ? `Trained ${training.epochs} epochs.` : "Training…");
    show("emily", training.emily);
    show("frank", training.frank);
  }
  setText($("you"), !you ? "" : !you.input ? "–" :
    `${fixed(you.prediction, 3)} (input ${you.input.map((v) => fixed(v, 0)).join(", ")})`);
}
