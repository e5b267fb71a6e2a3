// MNIST's loading in the worker, in the page's header: a progress bar and "4.1 / 11.5 MB",
// then "60,000 training + 10,000 test digits". Renders session snapshots.

const count = (n) => Math.round(n).toLocaleString("en-US");
const megabytes = (bytes) => (bytes / 1e6).toFixed(1);

export class DataView {
  #view;
  #shown = null;

  /** view: { status (the whole), progress, text } elements. */
  constructor(view) {
    this.#view = view;
  }

  render({ data }) {
    if (data === this.#shown) return;
    this.#shown = data;
    const { status, progress, text } = this.#view;
    status.classList.toggle("done", data.state === "ready");
    if (data.state === "ready") {
      progress.value = 1;
      text.textContent = `${count(data.train)} training + ${count(data.test.n)} test digits`;
    } else if (data.state === "failed") {
      text.textContent = "not available";
    } else if (data.total > 0) {
      progress.value = data.loaded / data.total;
      text.textContent = `${megabytes(data.loaded)} / ${megabytes(data.total)} MB`;
    } else {
      progress.removeAttribute("value");  // indeterminate until the sizes are known
      text.textContent = "loading…";
    }
  }
}
