// Challenges: the banner with a link's goal and the learner's progress, which says plainly when
// the goal is met; and the form that makes a challenge link from the playground as it is (goal,
// limits, locked controls). Renders the session's challenge; the form asks the session for the
// link, which validates it like any link and names the field at fault.
import { $, element } from "../lib/dom.js";
import { LOCKABLE } from "../lib/plane/state.js";

const LOCK_LABELS = { data: "data", features: "inputs", layers: "hidden layers", output: "output and loss",
  optimizer: "optimizer and learning rate", regularization: "regularization", init: "initialization and seed" };
const percent = (v) => `${+(v * 100).toFixed(2)} %`;

/** The goal in words: "test accuracy at least 95 %, with at most 6 hidden neurons". */
export function goalText({ metric, target, maxNeurons, noCrosses, locked }) {
  const parts = [metric === "testAccuracy" ? `test accuracy at least ${percent(target)}` : `test loss at most ${target}`];
  if (maxNeurons) parts.push(`with at most ${maxNeurons} hidden neurons`);
  if (noCrosses) parts.push("with only X₁ and X₂ as inputs (no feature crosses)");
  const text = `Reach a ${parts.join(", ")}.`;
  return locked.length ? `${text} Locked: ${locked.map((k) => LOCK_LABELS[k]).join(", ")}.` : text;
}

export class ChallengeView {
  #session;

  /** shareBase(): the page's URL without its hash. */
  constructor(session, shareBase) {
    this.#session = session;
    const locks = $("goal-locks");
    for (const key of Object.keys(LOCKABLE)) {
      const box = Object.assign(element("input"), { type: "checkbox", id: `lock-${key}`, value: key });
      const label = element("label");
      label.append(box, ` ${LOCK_LABELS[key]}`);
      locks.append(label);
    }
    $("make-challenge").addEventListener("click", async () => {
      const metric = $("goal-metric").value;
      const value = Number($("goal-target").value);
      const error = $("challenge-error");
      try {
        if ($("goal-target").value.trim() === "" || !Number.isFinite(value)) {
          throw new Error(`challenge goal (goal): expected a number, got "${$("goal-target").value}"`);
        }
        const url = session.challengeUrl(shareBase(), {
          goal: { metric, target: metric === "testAccuracy" ? value / 100 : value },
          maxNeurons: Number($("goal-neurons").value) || 0, noCrosses: $("goal-nocross").checked,
          locked: Object.keys(LOCKABLE).filter((key) => $(`lock-${key}`).checked),
        });
        error.hidden = true;
        $("challenge-link").value = url;
        $("challenge-link-row").hidden = false;
        $("challenge-link").select();
        await navigator.clipboard.writeText(url).catch(() => {});
      } catch (problem) {
        error.textContent = problem.message;
        error.hidden = false;
        $("challenge-link-row").hidden = true;
      }
    });
  }

  render({ challenge, metrics }) {
    const box = $("challenge");
    box.hidden = !challenge;
    if (!challenge) return;
    const { goal, met, epoch, value } = challenge;
    const now = goal.metric === "testAccuracy" ? `test accuracy ${Number.isFinite(value) ? percent(value) : "–"}` :
      `test loss ${Number.isFinite(value) ? value.toFixed(4) : "–"}`;
    const progress = met ? `Challenge met at epoch ${epoch}! (now, at epoch ${metrics.epoch}: ${now})` :
      `Not met yet: ${now} at epoch ${metrics.epoch}.`;
    const text = goalText(goal);
    if ($("challenge-goal").textContent !== text) $("challenge-goal").textContent = text;
    if ($("challenge-progress").textContent !== progress) $("challenge-progress").textContent = progress;
    // Screen readers hear the moment it is met, not every epoch's value.
    const said = met ? `Challenge met at epoch ${epoch}!` : "";
    if ($("challenge-announce").textContent !== said) $("challenge-announce").textContent = said;
    box.classList.toggle("met", met);
  }
}
