// Which model reads the pad: "Model: pretrained CNN · 99.37% on the MNIST test set", and the
// choice between the model saved in this browser and the pretrained one ("Using your saved
// model … [Use the pretrained one]" or "Your saved model … is kept. [Use your saved model]").
// Renders session snapshots.

const percent = (p) => `${(100 * p).toFixed(2)}%`;

export class ModelView {
  #view;
  #shown = {};

  /** view: { info, choice, choiceText, useSaved, usePretrained } elements. */
  constructor(view) {
    this.#view = view;
  }

  render({ model, saved }) {
    if (model === this.#shown.model && saved === this.#shown.saved) return;
    this.#shown = { model, saved };
    const { info, choice, choiceText, useSaved, usePretrained } = this.#view;
    if (model) {
      const tested = model.evaluation ? `${percent(model.evaluation.accuracy)} on the MNIST test set` :
        model.testError ? `not tested (${model.testError})` : "testing…";
      info.textContent = `Model: ${model.name} · ${tested}`;
    }
    choice.hidden = !saved;
    if (!saved) return;
    const inUse = model?.saved === true;
    const what = `${saved.name}, saved ${new Date(saved.savedAt).toLocaleString("en-GB",
      { dateStyle: "medium", timeStyle: "short" })}`;
    choiceText.textContent = inUse ? `Using your saved model (${what}).` : `Your saved model (${what}) is kept.`;
    useSaved.hidden = inUse;
    usePretrained.hidden = !inUse;
  }
}
