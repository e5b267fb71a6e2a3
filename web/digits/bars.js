// The bar chart of the ten class probabilities under the pad.

export class ProbabilityBars {
  #bars = [];
  #values = [];

  constructor(container) {
    container.replaceChildren();
    for (let digit = 0; digit < 10; digit++) {
      const column = document.createElement("div");
      column.className = "bar";
      const track = document.createElement("div");
      track.className = "bar-track";
      const fill = document.createElement("div");
      fill.className = "bar-fill";
      track.append(fill);
      const value = document.createElement("span");
      value.className = "bar-value";
      const label = document.createElement("span");
      label.className = "bar-label";
      label.textContent = String(digit);
      column.append(value, track, label);
      container.append(column);
      this.#bars.push({ column, fill });
      this.#values.push(value);
    }
  }

  /** probabilities: 10 numbers (or null to blank the chart); the largest is highlighted. */
  show(probabilities) {
    const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    this.#bars.forEach(({ column, fill }, digit) => {
      const p = probabilities ? probabilities[digit] : 0;
      fill.style.height = `${(100 * p).toFixed(1)}%`;
      column.classList.toggle("best", digit === best);
      this.#values[digit].textContent = probabilities ? `${Math.round(100 * p)}` : "";
      column.title = `${digit}: ${(100 * p).toFixed(1)}%`;
    });
  }
}
