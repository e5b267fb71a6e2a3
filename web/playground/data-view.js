// What the data panel and the plot say about table data: its size and classes, which columns
// the plot shows, and the class colours. Renders a session snapshot.
import { $, element } from "../lib/dom.js";
import { CLASS_COLORS, NEGATIVE, POSITIVE } from "../lib/plane/colors.js";
import { taskOf } from "./output-view.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function renderData(snapshot) {
  const { state, table } = snapshot;
  const task = taskOf(snapshot);
  document.body.classList.toggle("regression", task === "regression");
  document.body.classList.toggle("table-data", Boolean(table));
  const legend = $("class-legend");
  legend.hidden = !table || task === "regression";
  if (!table) return;
  const { name, rows, inputs, label, classes, trainRows, testRows } = table;
  const shownClasses = classes.length > 6 ? [...classes.slice(0, 6), "…"] : classes;
  $("table-info").textContent = `${name}: ${rows} rows, ${plural(inputs, "input column")}; label "${label}": ` +
    `${classes.length ? `${classes.length} classes (${shownClasses.join(", ")})` : "numbers (regression)"}. ` +
    `Training on ${trainRows} rows, testing on ${testRows}.`;
  const [across, up] = [state.plotX, state.plotY];
  const others = inputs - (up ? 2 : 1);
  $("plot-note").textContent = `The plot shows the network's output across "${across}"` +
    `${up ? ` and up "${up}"` : ""}${state.standardize ? " (standardized)" : ""}` +
    `${others > 0 ? `; the other ${others} input${others > 1 ? "s are" : " is"} held at ${others > 1 ? "their" : "its"} mean` : ""}.`;
  const colorOf = (k) => (classes.length === 2 ? [NEGATIVE, POSITIVE][k] : CLASS_COLORS[k % CLASS_COLORS.length]);
  legend.replaceChildren(...classes.slice(0, 20).map((c, k) => {
    const dot = element("span", "swatch");
    dot.style.background = colorOf(k);
    const item = element("span");
    item.append(dot, c);
    return item;
  }));
}
