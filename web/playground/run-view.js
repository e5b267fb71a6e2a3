// The run's numbers and messages: the epoch, train and test loss and accuracy, the Play button,
// and what the session tells the user (the alert and the status line). Renders a snapshot.
import { $ } from "../lib/dom.js";

const loss = (v) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
const accuracy = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–");
let said = null;  // the alert and status shown last: a change replaces what the page wrote since

export function renderRun({ metrics, playing, alert, status }) {
  $("epoch").textContent = String(metrics.epoch);
  // The learning rate the next step uses (a schedule changes it as training goes).
  $("rate-now").textContent = Number.isFinite(metrics.lr) ? Number(metrics.lr.toPrecision(3)).toString() : "–";
  $("train-loss").textContent = loss(metrics.trainLoss);
  $("test-loss").textContent = loss(metrics.testLoss);
  $("train-accuracy").textContent = accuracy(metrics.trainAccuracy);
  $("test-accuracy").textContent = accuracy(metrics.testAccuracy);
  $("play").textContent = playing ? "Pause" : "Play";
  $("play").setAttribute("aria-pressed", String(playing));
  if (alert !== said?.alert) {
    $("alert").textContent = alert;
    $("alert").hidden = !alert;
  }
  if (status !== said?.status) $("status").textContent = status;
  said = { alert, status };
}
