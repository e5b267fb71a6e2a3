// The playground's loss landscape: lib/landscape's picture of the training loss on the plane
// through the weights now that holds most of the training path, with that path. Renders the
// session's landscape (computed on request: a button); a new network clears it.
import { $ } from "../lib/dom.js";
import { LandscapeView } from "../lib/landscape/view.js";
import { number } from "./neuron-view.js";

const NOTE = $("landscape-note").textContent;

export class LandscapePanel {
  #view = new LandscapeView($("landscape"), $("colorbar"));
  #shown = null;

  constructor(session) {
    $("landscape-compute").addEventListener("click", () => session.computeLandscape());
  }

  render({ landscape, metrics }) {
    if (landscape !== this.#shown) {
      this.#shown = landscape;
      if (landscape) this.#view.setGrid({ loss: landscape.loss, size: landscape.size, span: landscape.span });
      else $("landscape").getContext("2d").clearRect(0, 0, $("landscape").width, $("landscape").height);
    }
    if (landscape) {
      this.#view.draw([{ color: "#e4572e", points: landscape.path }]);
      const [low, high] = this.#view.range;
      const text = `Epoch ${landscape.epoch} (now ${metrics.epoch}): the training loss from ${number(low)} to ` +
        `${number(high)} on this plane (log colour scale), ${landscape.path.length} points of the path.`;
      if ($("landscape-note").textContent !== text) $("landscape-note").textContent = text;
    } else if ($("landscape-note").textContent !== NOTE) {
      $("landscape-note").textContent = NOTE;
    }
  }
}
