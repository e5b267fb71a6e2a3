// Every layer's output for the pad's drawing, as it is drawn (snapshot.drawing.layers): a row
// per layer, a small map per channel of a picture layer (conv2d, pooling), a strip of units for
// a vector (flatten, dense). Clicking a map or a unit chooses it for the formula (session
// chooseUnit: a map chooses its most active unit). The canvases are made once per model and
// repainted on each drawing.
import { element } from "../lib/dom.js";
import { gridOf, largest, paintChannel } from "./maps.js";

const NAMES = { conv2d: "convolution", maxpool2d: "max pooling", avgpool2d: "average pooling", flatten: "flatten",
  dense: "dense", dropout: "dropout", batchnorm: "batch norm" };

export class LayersView {
  #root;
  #note;
  #chooseUnit;
  #rows = null;     // per layer: { canvases (one per channel), buttons }
  #built = null;    // the model id and layer shapes the rows were built for
  #drawing = null;
  #chosen = null;

  /** elements: { root, note }; chooseUnit({ layer, unit }) is session.chooseUnit. */
  constructor({ root, note }, { chooseUnit }) {
    this.#root = root;
    this.#note = note;
    this.#chooseUnit = chooseUnit;
  }

  render({ drawing, choice, model }) {
    if (drawing === this.#drawing && choice.unit === this.#chosen) return;
    this.#drawing = drawing;
    this.#chosen = choice.unit;
    if (!drawing || drawing.model !== model?.id) {
      this.#note.textContent = "Draw a digit on the pad: every layer's output shows here as you draw.";
      if (!drawing) this.#root.replaceChildren();
      return;
    }
    const key = `${drawing.model}:${drawing.layers.map((l) => `${l.type}${l.shape}`).join()}`;
    if (this.#built !== key) this.#build(drawing, key, model);
    this.#note.textContent = drawing.empty ? "The pad is empty: these are the outputs for a blank input." :
      "Click a map (or a unit of a strip) to see how one of its units is computed.";
    drawing.layers.forEach((layer, i) => {
      const max = largest(layer.data);
      this.#rows[i].canvases.forEach((canvas, c) => paintChannel(canvas, layer.data, layer.shape, c, max));
      this.#rows[i].buttons.forEach((button, c) => {
        const chosen = choice.unit?.layer === i && (layer.shape.length !== 3 || choice.unit.unit % layer.shape[2] === c);
        button.setAttribute("aria-pressed", String(chosen));
      });
    });
  }

  // The unit of channel c of layer i with the largest output for the drawing shown (the first if all are equal).
  #strongest(i, c) {
    const { data, shape } = this.#drawing.layers[i];
    let best = c;
    for (let k = c; k < data.length; k += shape[2]) if (data[k] > data[best]) best = k;
    return best;
  }

  #build(drawing, key, model) {
    this.#built = key;
    const config = model.layers ?? [];
    this.#rows = drawing.layers.map((layer, i) => {
      const { height, width, channels } = gridOf(layer.shape);
      const spec = config[i] ?? {};
      const row = element("div", "layer-row");
      const what = layer.shape.length === 3 ? `${channels} map${channels > 1 ? "s" : ""} ${height}×${width}` :
        `${layer.shape[0]} units`;
      const detail = spec.kernel ? ` ${spec.kernel}×${spec.kernel}` : spec.size ? ` ${spec.size}×${spec.size}` : "";
      const activation = spec.activation && spec.activation !== "linear" ? `, ${spec.activation}` : "";
      row.append(element("h4", "layer-title", `${i + 1} · ${NAMES[layer.type] ?? layer.type}${detail}: ${what}${activation}`));
      const maps = element("div", layer.shape.length === 3 ? "layer-maps" : "layer-strip");
      const canvases = [], buttons = [];
      for (let c = 0; c < channels; c++) {
        const canvas = element("canvas", "pixels");
        const button = element("button", "map");
        button.type = "button";
        button.setAttribute("aria-pressed", "false");
        if (layer.shape.length === 3) {
          button.setAttribute("aria-label", `layer ${i + 1} (${layer.type}), map ${c + 1} of ${channels}`);
          button.addEventListener("click", () => this.#chooseUnit({ layer: i, unit: this.#strongest(i, c) }));
        } else {
          button.setAttribute("aria-label", `layer ${i + 1} (${layer.type}), ${layer.shape[0]} units: click a unit`);
          button.addEventListener("click", (event) => {
            const box = canvas.getBoundingClientRect();
            const x = Math.floor((event.clientX - box.left) / box.width * width);
            const y = Math.floor((event.clientY - box.top) / box.height * height);
            const unit = event.detail === 0 || !(x >= 0 && y >= 0) ? 0 : Math.min(layer.shape[0] - 1, y * width + x);
            this.#chooseUnit({ layer: i, unit });
          });
          canvas.style.aspectRatio = `${width} / ${height}`;
        }
        button.append(canvas);
        maps.append(button);
        canvases.push(canvas);
        buttons.push(button);
      }
      row.append(maps);
      return { row, canvases, buttons };
    });
    this.#root.replaceChildren(...this.#rows.map((r) => r.row));
  }
}
