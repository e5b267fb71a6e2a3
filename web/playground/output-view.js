// The output view: the network's output over the plane (lib/plane/heatmap.js) with the data
// points, coloured for the task; and the scale shared with the network diagram, which paints
// every unit's output the same way. Renders a session snapshot; a click adds a point.
import { Heatmap, SQUARE } from "../lib/plane/heatmap.js";
import { outputColors } from "../lib/plane/colors.js";
import { isRegression } from "../lib/plane/state.js";

/** "binary", "multiclass" or "regression": what the snapshot's data asks of the network. */
export const taskOf = ({ state, table }) => table?.kind ?? (isRegression(state.dataset) ? "regression" : "binary");

/**
 * Maps an output or label to [-1, 1] for colouring: a probability from [0, 1], a table's
 * regression target from its range.
 */
export function outputToUnit(snapshot) {
  if (taskOf(snapshot) !== "regression") return (v) => 2 * v - 1;
  if (!snapshot.table) return (v) => v;
  const [low, high] = snapshot.table.labelRange;
  return (v) => (high > low ? (2 * (v - low)) / (high - low) - 1 : 0);
}

export class OutputView {
  #heatmap;

  /**
   * onClick(x1, x2): a click on the plane of the generated data, rounded to 0.01, or null (the
   * plane only shows). With onClick, the keyboard clicks too (lib/plane/heatmap.js).
   */
  constructor(canvas, onClick) {
    this.#heatmap = new Heatmap(canvas, { onClick: onClick ?? (() => {}), keyboard: Boolean(onClick) });
  }

  render(snapshot) {
    const { picture, points, state, table, point } = snapshot;
    if (!picture || !points) return;
    const colors = outputColors({ classes: taskOf(snapshot) === "multiclass" ? table.outputs : 0,
      toUnit: outputToUnit(snapshot) });
    this.#heatmap.draw({ output: picture.output, size: picture.gridSize, colors, points,
      showTest: state.showTest, extent: table?.plot ?? SQUARE, marker: point && !table ? [point.x1, point.x2] : null });
  }
}
