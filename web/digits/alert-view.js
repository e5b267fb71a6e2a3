// What went wrong, in the page's role="alert" paragraph (hidden when nothing did). Renders
// session snapshots; a new message replaces whatever the paragraph showed.

export class AlertView {
  #element;
  #said = null;

  constructor(element) {
    this.#element = element;
  }

  render({ alert }) {
    if (alert === this.#said) return;
    this.#said = alert;
    this.#element.textContent = alert;
    this.#element.hidden = !alert;
  }
}
