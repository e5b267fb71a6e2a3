// A lesson session that trains one network for a number of epochs behind Play/Pause and
// "Start over" (lessons 000 and 002). Its settings are a playground state: the network it
// builds (toConfig) and the playground link it offers (encode) come from that one object, so
// the lesson and its link cannot disagree. No DOM.
//
// A lesson extends it with:
//   settingsOf(fields) -> { state, target }: a partial playground state and the epochs to
//     train, from the form's texts; throws a FieldError naming a bad field;
//   begin(net) -> the snapshot's changes for a fresh network (epoch 0);
//   trainFrame(net) -> one animation frame of training: it publishes, and returns false once
//     the target is reached (having shown the end).
// begin and trainFrame get the network for the call only; a lesson's own commands reach it
// through withNetwork().
import { toConfig } from "../lib/plane/state.js";
import { LessonSession } from "./session.js";
import { configText, playgroundRules, playgroundState } from "./networks.js";

/**
 * Snapshot fields of every training lesson:
 *   play: "playing", "paused", "done" (the target reached) or "off" (no network: a bad field);
 *   run: counts fresh networks (charts start over); code: the config as the call that builds
 *   it; link: the playground's hash for the same state ("" before the first network).
 */
const INITIAL = { play: "off", run: 0, code: "", link: "" };

export class TrainingSession extends LessonSession {
  /** The playground's rules (lib/plane/state.js), from what the core offers. */
  rules;
  #nn;
  #net = null;
  #problem = null;  // the FieldError or core error that left the lesson without a network

  constructor(nn, initial, { nextFrame }) {
    super({ ...INITIAL, ...initial }, { nextFrame });
    this.#nn = nn;
    this.rules = playgroundRules(nn);
  }

  /** A fresh network from the form's texts, then Play; a bad field leaves none and says which. */
  restart(fields) {
    return this.command(async () => {
      await this.stopJobs("training");
      this.#net?.delete();
      this.#net = null;
      try {
        const { state, target } = this.settingsOf(fields);
        const valid = playgroundState(this.rules, state);
        const config = toConfig(valid);
        this.#net = this.#nn.createNetwork(config);
        this.#problem = null;
        this.publish({ play: "paused", run: this.snapshot.run + 1, target, code: configText(config), link: this.rules.encode(valid),
          ...this.begin(this.#net) });
      } catch (error) {
        this.#problem = error;
        this.publish({ play: "off" });
        throw error;
      }
      this.accept();
      this.#play();
    });
  }

  play() { return this.command(() => this.#play()); }

  pause() { return this.command(() => this.#pause()); }

  togglePlay() {
    return this.command(() => (this.snapshot.play === "playing" ? this.#pause() : this.#play()));
  }

  /** Whether there is a network (none after a bad field). */
  get hasNetwork() {
    return this.#net !== null;
  }

  /**
   * For a lesson's commands: fn(net) with the network, paused first when `pause`; with none
   * (a bad field), refused with the reason.
   */
  async withNetwork(fn, { pause = false } = {}) {
    if (!this.#net) this.#noNetwork();
    if (pause) await this.#pause();
    return fn(this.#net);
  }

  #noNetwork() {
    if (!this.#problem) throw new Error("Nothing to train yet: press Start over.");
    const why = new Error(`Nothing to train until this is fixed: ${this.#problem.message}`);
    throw Object.assign(why, { field: this.#problem.field });
  }

  #play() {
    const { play } = this.snapshot;
    if (play === "playing" || play === "done") return;
    if (!this.#net) this.#noNetwork();
    const net = this.#net;
    this.publish({ play: "playing" });
    this.startJob("training", () => this.trainFrame(net)).then((end) => {
      // Stopped: whoever stopped it says what comes next. A restart meanwhile: not this run's news.
      if (this.#net !== net) return;
      if (end === "finished") this.publish({ play: "done" });
      if (end === "failed") this.publish({ play: "paused" });
    });
  }

  async #pause() {
    if (this.snapshot.play !== "playing") return;
    await this.stopJobs("training");
    this.publish({ play: "paused" });
  }
}
