// The "Train your own" form: the settings (network, epochs, optimizer, learning rate and its
// decay, batch, distortion), Train and Stop, the progress bar and the status line. Renders session
// snapshots; an edit is sent as it is typed (text) and the session's rules decide, so a refused
// one comes back as the settings in use. The form is locked while a training runs: it shows
// what is being trained. Screen readers hear when training starts, each epoch's test accuracy
// and the end (a polite live region), not the status line's many progress updates.
import { MODELS } from "../lib/mnist/models.js";

const BUSY = new Set(["waiting", "running", "stopping"]);

export class TrainingView {
  #view;
  #inputs;
  #shown = {};

  /**
   * view: { form, inputs: { model, epochs, optimizer, lr, decay, batch, augment }, start, stop,
   * progress, status, announce } elements (announce: a live region). commands: { edit(patch),
   * train(), stop() }.
   */
  constructor(view, { edit, train, stop }) {
    this.#view = view;
    this.#inputs = view.inputs;
    for (const [kind, { label }] of Object.entries(MODELS)) view.inputs.model.append(new Option(label, kind));
    for (const [key, input] of Object.entries(this.#inputs)) {
      input.addEventListener("change", () => edit({ [key]: input.type === "checkbox" ? input.checked : input.value }));
    }
    view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      train();
    });
    view.stop.addEventListener("click", stop);
  }

  render({ settings, training, status }) {
    if (settings !== this.#shown.settings) {
      for (const [key, input] of Object.entries(this.#inputs)) {
        if (input.type === "checkbox") input.checked = settings[key];
        else input.value = String(settings[key]);
      }
    }
    if (training !== this.#shown.training) {
      const busy = BUSY.has(training.state);
      this.#view.start.disabled = busy;
      this.#view.stop.disabled = training.state !== "waiting" && training.state !== "running";
      for (const input of Object.values(this.#inputs)) input.disabled = busy;
      this.#view.progress.value = training.progress;
    }
    if (status !== this.#shown.status) this.#view.status.textContent = status;
    const said = this.#announcement(training, status);
    if (said && said !== this.#view.announce.textContent) this.#view.announce.textContent = said;
    this.#shown = { settings, training, status };
  }

  // What changed that matters: a new state of the run (its status line says it), or an epoch's test.
  #announcement(training, status) {
    const before = this.#shown.training;
    if (!before) return "";
    if (training.state !== before.state) {
      return { running: "Training started.", stopping: "Stopping…" }[training.state] ?? status;
    }
    const tests = training.curve?.test ?? [];
    if (tests.length > (before.curve?.test.length ?? 0)) {
      const accuracy = tests.at(-1)[2];
      return `Epoch ${tests.length} of ${training.settings.epochs}: ${(100 * accuracy).toFixed(1)}% on the test digits.`;
    }
    return "";
  }
}
