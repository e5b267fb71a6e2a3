// The playground's session: the one owner of its state. No DOM — Node tests drive it. It takes
// commands (open a link, edit, play, step, reset, load a CSV file, open a model file), sends
// requests to the training worker (trainer.js), and publishes an immutable snapshot after every
// change; views subscribe and render, and send commands back. The flow is one way:
//
//   URL -> session -> worker -> snapshot -> views
//
// Commands run one at a time through a queue, so a rebuild never overlaps a training round
// trip, and a person can click anything at any time. Playing is a loop of round trips outside
// the queue; a command that needs the worker ends the loop after its current round trip first.
//
// Data is generated (2-D points and their feature crosses) or a table: a preset or a CSV file
// the user loads. The worker describes a table (its columns, classes, size); the session fits
// its state to it (label, plotted columns, output and loss) and builds. A link or a model file
// made with a CSV file cannot carry the file: its state waits (`pending`) until the file comes.
//
// When the worker dies (out of memory, an uncaught error, no answer) the session starts a new
// one and rebuilds from its state, as opening its URL would.
//
// Looking inside: a picked point (probe) is inspected by the worker in every snapshot, so the
// neuron view shows numbers of the network as it is at that snapshot; the gradient flow of
// every epoch trained arrives with the snapshots. A link with an epoch (ep=) trains to it on
// opening and pauses; a link with a goal is a challenge, whose locked controls edits refuse.
import { flatWeights } from "../lib/flat-weights.js";
import { Snapshots } from "../lib/snapshots.js";
import { nnplayModelFile, readModelFiles, tfjsModelFiles, weightsOfModel } from "../lib/model-files.js";
import { exportCode } from "../lib/export-code.js";
import { LIMITS, LOCKABLE, PlaygroundRules, defaultState, isRegression, isTable } from "../lib/plane/state.js";
import { threadsText } from "../lib/threads.js";
import { fromTFJS } from "../lib/tfjs.js";
import { adaptToTask, fitToTable, mergeContract, toContract } from "./model.js";

const CHUNK_MS = 14;       // training per round trip at most; the page draws while the worker trains
const SHARE_LIMIT = 8000;  // a share link with weights longer than this goes without them
const NO_METRICS = Object.freeze({ epoch: 0, step: 0, trainLoss: NaN, testLoss: NaN, trainAccuracy: NaN,
  testAccuracy: NaN });

/**
 * A snapshot: { state, hash, table, points, picture, metrics, run, playing, diverged, speed,
 * alert, status, csvFile, pending, ready, flow, point, neuron, landscape, seeking, challenge, exact }.
 *   state: the validated page state (lib/plane/state.js), null before the first build;
 *   hash: what the address bar shows ("v=1&..."); table: the worker's description of the table
 *   data with its split and plot ranges, or null; points: { train, test } to draw;
 *   picture: the latest worker snapshot worth drawing (none from a diverged network);
 *   run: counts fresh networks (charts start over); speed: epochs per frame while playing;
 *   alert / status: what to tell the user; pending: { what, file } while waiting for a CSV file;
 *   flow: the gradient flow of this run, [{ epoch, layers: [mean |dL/dW|], updates: [mean |ΔW|] }];
 *   point: the picked point { x1, x2, label } or null (picture.probe is its inspection);
 *   neuron: the picked unit { layer, unit } (layer: index of the dense layer) or null;
 *   landscape: the worker's loss landscape of this run, or null; seeking: { target } while
 *   a link's epoch is trained to; challenge: { goal, met, epoch, value } or null;
 *   exact: whether this run is what its settings replay (no live change, edited weight).
 */
const INITIAL = Object.freeze({
  state: null, hash: "", table: null, points: null, picture: null, metrics: NO_METRICS, run: 0,
  playing: false, diverged: false, speed: 10, alert: "", status: "Loading the network…", csvFile: "",
  pending: null, ready: false, flow: [], point: null, neuron: null, landscape: null, seeking: null,
  challenge: null, exact: true,
});
const LOCK_NAMES = { data: "the data", features: "the inputs", layers: "the hidden layers", output: "the output and loss",
  optimizer: "the optimizer, learning rate and batch size", regularization: "the regularization",
  init: "the initialization and network seed" };

export class PlaygroundSession {
  /** PlaygroundRules, once the worker said what the core offers (see ready). */
  rules = null;
  #worker;
  #nextFrame;
  #published = new Snapshots(INITIAL);
  #queue = Promise.resolve();
  #loop = null;           // promise of the running training loop
  #playing = false;       // the loop goes on while this is true
  #csvSource = null;      // { file, name } of the CSV file the worker holds
  #pending = null;        // { state, weights, what }: waiting for its CSV file
  #deathsInARow = 0;      // worker deaths since the last build that worked
  #snapshots = 0;
  #threads = 1;           // the worker's core (nn.threads), once it said

  /**
   * worker: { request(message) -> Promise of the reply, restart() -> false if no worker can
   * start, crash(how) } (lib/worker-supervision.js's SupervisedWorker); tell workerDied(reason)
   * when it dies. nextFrame(): a Promise resolved at the next animation frame (the play loop's
   * pace).
   */
  constructor({ worker, nextFrame }) {
    this.#worker = worker;
    this.#nextFrame = nextFrame;
  }

  get snapshot() { return this.#published.snapshot; }

  /** listener(snapshot) now and after every change; returns a function that unsubscribes. */
  subscribe(listener) {
    return this.#published.subscribe(listener);
  }

  #publish(changes) {
    this.#published.publish(changes);
  }

  #enqueue(task) {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #say(alert, status = this.snapshot.status) {
    this.#publish({ alert, status });
  }

  // ---- talking to the worker (from queued tasks only)

  async #core() {
    if (!this.rules) {
      const core = await this.#worker.request({ type: "core" });
      this.#threads = core.threads;
      this.rules = new PlaygroundRules(core);
    }
    return this.rules;
  }

  /**
   * Builds `next` (a valid state): for table data the worker describes the table and the state
   * is fitted to it first. source: { file, name }, a newly chosen CSV file; weights: a
   * getWeights() list for the new network (a model file's).
   */
  async #build(next, { keepNetwork = false, source = null, weights = null } = {}) {
    const rules = this.rules;
    // A link's epoch is a request to train (open's #seek), not part of the page's state.
    let state = next.epoch ? { ...next, epoch: 0 } : next, table = null;
    if (isTable(next.dataset)) {
      ({ table } = await this.#worker.request({ type: "describe", dataset: next.dataset, source,
        label: next.label, standardize: next.standardize }));
      state = fitToTable(rules, state, table);
    }
    const reply = await this.#worker.request({ type: "build", state, source, weights, keepNetwork });
    if (weights) state = { ...state, weights: flatWeights(weights) };
    if (source) this.#csvSource = source;
    const s = this.snapshot;
    const fresh = !keepNetwork;
    this.#publish({
      state, hash: rules.encode(state), table: table && { ...table, ...reply.split }, points: reply.points,
      run: keepNetwork ? s.run : s.run + 1, diverged: keepNetwork && s.diverged, picture: null,
      csvFile: this.#csvSource?.name ?? "",
      ...(fresh ? { flow: [], landscape: null, challenge: null, exact: true } : { exact: s.exact && s.metrics.epoch === 0 }),
      neuron: fresh && s.neuron && !unitExists(state, s.neuron, table) ? null : s.neuron,
    });
    this.#apply(reply.snapshot);
  }

  #apply(picture) {
    this.#snapshots++;
    const { metrics, diverged } = picture;
    const flow = picture.flow.length ? [...this.snapshot.flow, ...picture.flow] : this.snapshot.flow;
    if (diverged) {
      if (!this.snapshot.diverged) this.#publish({ alert: this.#divergence(metrics.epoch) });
      this.#playing = false;
      this.#publish({ metrics, diverged: true, flow });
    } else {
      this.#publish({ metrics, picture, flow, challenge: this.#challengeStatus(metrics) });
    }
  }

  // Whether the challenge's goal is reached; once reached, it stays met for this network.
  #challengeStatus(metrics) {
    const { state, challenge } = this.snapshot;
    if (!state?.goal) return null;
    const { goal, maxNeurons, noCrosses, locked } = state;
    const value = metrics[goal.metric];
    const reached = goal.metric === "testLoss" ? value <= goal.target : value >= goal.target;
    const epoch = challenge?.met ? challenge.epoch : reached ? metrics.epoch : null;
    return { goal: { ...goal, maxNeurons, noCrosses, locked: [...locked] }, met: epoch !== null, epoch, value };
  }

  #divergence(epoch) {
    const { lr } = this.snapshot.state;
    return `Training stopped at epoch ${epoch}: the loss became NaN or infinite: the weights ` +
      `diverged. The learning rate (${lr}) is too high for this network and data: lower it ` +
      `(try ${lr / 10}) and press Reset.`;
  }

  /** Trains until untilEpoch (or a pause); paced: at most `speed` epochs per animation frame. */
  #startLoop(untilEpoch, { paced = false } = {}) {
    if (this.#loop) return this.#loop;
    if (this.snapshot.diverged) {
      this.#say(this.#divergence(this.snapshot.metrics.epoch));
      return Promise.resolve();
    }
    this.#playing = true;
    this.#publish({ playing: true, status: `Training… (the core has ${threadsText(this.#threads)})` });
    this.#loop = (async () => {
      try {
        while (this.#playing && !this.snapshot.diverged && this.snapshot.metrics.epoch < untilEpoch) {
          const perFrame = paced ? this.snapshot.speed : Infinity;
          const epochs = Math.min(untilEpoch - this.snapshot.metrics.epoch, perFrame, 1e6);
          const { snapshot } = await this.#worker.request({ type: "train", epochs, budgetMs: CHUNK_MS });
          this.#apply(snapshot);
          if (perFrame !== Infinity) await this.#nextFrame();
        }
      } catch (error) {
        if (!error.workerDied) this.#say(error.message);  // a death is told by #recover
      } finally {
        this.#loop = null;
        this.#playing = false;
        this.#publish({ playing: false, status: `Paused at epoch ${this.snapshot.metrics.epoch}.` });
      }
    })();
    return this.#loop;
  }

  async #stopLoop() {
    this.#playing = false;
    await this.#loop;
  }

  // Rebuilds with `next` (valid), keeping the play state: edits while playing keep playing.
  async #rebuild(next, options) {
    const wasPlaying = this.#playing;
    await this.#stopLoop();
    await this.#build(next, options);
    if (wasPlaying) this.#startLoop(Infinity, { paced: true });
  }

  /** After the worker died: a new one, rebuilt from the state; the defaults if that kills it too. */
  workerDied(reason) {
    this.#playing = false;
    this.#enqueue(() => this.#recover(reason));
  }

  async #recover(reason) {
    await this.#stopLoop();
    this.#deathsInARow++;
    const died = `The training worker stopped: ${reason}.`;
    if (this.#deathsInARow > 2 || !this.#worker.restart()) {
      this.#say(`${died} It could not be restarted: reload the page.`, "");
      return;
    }
    const state = this.snapshot.state;
    const fallback = this.#deathsInARow > 1 || !state;
    try {
      await this.#core();
      const next = fallback ? defaultState() : state;
      await this.#build(next, { source: next.dataset === "csv" ? this.#csvSource : null });
    } catch (error) {
      if (!error.workerDied) this.#say(`${died} Restarting it failed: ${error.message}. Reload the page.`, "");
      return;  // a death: its own recovery follows
    }
    this.#deathsInARow = 0;
    this.#say(`${died} It was restarted, ${fallback ? "but this playground's settings stopped it again, so " +
      "it shows the default playground" : "and the playground was rebuilt from its settings (the link); " +
      "training starts again at epoch 0"}.`, "Restarted: press Play (space) to train.");
  }

  // ---- opening links

  /** Opens a URL hash ("#v=1&..."), paused; a bad one shows why and opens the defaults. */
  open(hash) {
    return this.#enqueue(async () => {
      const rules = await this.#core();
      const { state: next, error } = rules.decode(hash);
      this.#say(error ?? "");
      await this.#stopLoop();
      this.#pending = null;
      if (!error && next.dataset === "csv" && next.file !== this.snapshot.csvFile) {
        await this.#build(defaultState());
        this.#waitForCsv(next, null, "the link", "Until then this is the default playground.");
        // Reloading the page still says so.
        this.#publish({ hash: String(hash).replace(/^#/, ""),
          status: "Waiting for the CSV file; meanwhile the default playground is ready." });
      } else {
        let seek = next.epoch;
        try {
          await this.#build(next);
        } catch (buildError) {
          seek = 0;
          // Valid fields that the core still refuses: say so and fall back to the defaults.
          if (buildError.workerDied) throw buildError;
          this.#say(`This link's settings could not be used: ${buildError.message}. Showing the default ` +
            "playground instead.");
          await this.#build(defaultState());
        }
        this.#publish({ status: this.snapshot.state.weights ? "Loaded the trained weights from the link; " +
          "Reset starts from fresh weights." : "Ready: press Play (space) to train." });
        if (seek > 0) await this.#seek(seek);
      }
      this.#deathsInARow = 0;
      this.#publish({ ready: true });
    });
  }

  // Trains to the link's epoch (the same steps as the run the link was made from), then pauses.
  async #seek(target) {
    this.#publish({ seeking: { target }, status: `Training to epoch ${target}, as the link asks…` });
    try {
      await this.#startLoop(target);
    } finally {
      const { epoch } = this.snapshot.metrics;
      this.#publish({ seeking: null, status: epoch === target ? `Epoch ${target}, as the link asks: paused. ` +
        "Press Play (space) to train on." : `Stopped at epoch ${epoch} before the link's ${target}.` });
    }
  }

  // what: "the link" or a model file's name; meanwhile: what the page shows until then.
  #waitForCsv(state, weights, what, meanwhile) {
    this.#pending = { state, weights, what };
    this.#publish({ pending: { what, file: state.file },
      alert: `${what === "the link" ? "This link" : what} was made with the CSV file "${state.file || "(unnamed)"}", ` +
        `which it cannot carry: load that file again (Load CSV, or drop it on the page) to continue with it. ${meanwhile}` });
  }

  // ---- edits

  /**
   * A control's edit: patch is a partial state or a function of the current one; effect is
   * "rebuild", "points" (data only, same network), "live" (learning rate, batch size: applied
   * to the running network) or "view" (drawing only). A bad edit shows why and changes nothing.
   */
  edit(patch, effect = "rebuild") {
    return this.#enqueue(async () => {
      const state = this.snapshot.state;
      if (!state) return;
      try {
        const change = typeof patch === "function" ? patch(state) : patch;
        const next = this.rules.validate(adaptToTask(this.rules, state,
          { ...state, ...change, weights: effect === "rebuild" ? null : state.weights }));
        this.#checkLocks(state, next);
        this.#say("");
        if (effect === "live" && this.snapshot.metrics.epoch > 0) this.#publish({ exact: false });
        if (effect === "rebuild" || effect === "points") {
          await this.#rebuild(next.dataset === "csv" ? { ...next, file: this.snapshot.csvFile } : next,
            { keepNetwork: effect === "points" });
          return;
        }
        if (effect === "live") await this.#worker.request({ type: "tune", lr: next.lr, batchSize: next.batchSize });
        this.#publish({ state: next, hash: this.rules.encode(next) });
      } catch (error) {
        if (!error.workerDied) this.#say(error.message);
        // The state as it is, anew: views show it instead of the refused edit.
        if (this.snapshot.state) this.#publish({ state: { ...this.snapshot.state } });
      }
    });
  }

  // A challenge's locked controls: an edit that changes what they set is refused.
  #checkLocks(state, next) {
    for (const group of state.locked) {
      const prop = LOCKABLE[group].find((p) => JSON.stringify(next[p]) !== JSON.stringify(state[p]));
      if (prop) throw new Error(`This challenge locks ${LOCK_NAMES[group]}: that cannot be changed here.`);
    }
  }

  /** Adds a training point at (x1, x2) of the generated data: positive (blue) or not. */
  addPoint(x1, x2, positive) {
    if (this.snapshot.table) return Promise.resolve();  // a table's rows have every column, not two
    return this.edit(({ added, dataset }) => {
      if (added.length >= LIMITS.addedPoints) {
        throw new Error(`At most ${LIMITS.addedPoints} points can be added; clear some first.`);
      }
      return { added: [...added, [x1, x2, positive ? 1 : isRegression(dataset) ? -1 : 0]] };
    }, "points");
  }

  clearPoints() { return this.edit({ added: [] }, "points"); }
  newSeed() { return this.edit(({ seed }) => ({ seed: (seed + 1) % 4294967296 })); }
  newData() { return this.edit(({ dataSeed }) => ({ dataSeed: (dataSeed + 1) % 4294967296 })); }

  /** Epochs per animation frame while playing (Infinity: as fast as it goes). */
  setSpeed(speed) {
    if (Number.isFinite(speed) ? speed >= 1 : speed === Infinity) this.#publish({ speed });
  }

  // ---- training

  play() {
    return this.#enqueue(() => { if (this.snapshot.state) this.#startLoop(Infinity, { paced: true }); });
  }

  /** Resolves with the metrics once training has stopped. */
  pause() {
    this.#playing = false;
    return this.#enqueue(() => this.#stopLoop()).then(() => this.snapshot.metrics);
  }

  togglePlay() {
    return this.#playing ? this.pause() : this.play();
  }

  /** Trains k more epochs; resolves with the metrics after exactly k (unless it diverged). */
  step(k = 1) {
    if (!Number.isInteger(k) || k < 1) return Promise.reject(new Error(`step: expected a positive integer, got ${k}`));
    return this.#enqueue(async () => {
      await this.#stopLoop();
      if (!this.snapshot.state) return NO_METRICS;
      await this.#startLoop(this.snapshot.metrics.epoch + k);
      return this.snapshot.metrics;
    });
  }

  /** A fresh network with the same seed: the same run again. */
  reset() {
    return this.#enqueue(async () => {
      await this.#stopLoop();
      const state = this.snapshot.state;
      if (!state) return NO_METRICS;
      await this.#build({ ...state, weights: null });
      this.#say("");
      return this.snapshot.metrics;
    });
  }

  // ---- the contract's view (window.nnplay)

  /** window.nnplay.state(): { config, data, features, showTest }. */
  contractState() {
    const { state, table } = this.snapshot;
    return state && toContract(state, table);
  }

  /** Merges a partial contract state and rebuilds; rejects with an Error naming a bad field. */
  setState(partial) {
    return this.#enqueue(async () => {
      const { state, table, csvFile } = this.snapshot;
      try {
        const next = mergeContract(this.rules, state, partial, table);
        await this.#stopLoop();
        await this.#build(next.dataset === "csv" ? { ...next, file: csvFile } : next);
      } catch (error) {
        if (!error.workerDied) this.#say(error.message);
        throw error;
      }
      this.#say("");
      return this.contractState();
    });
  }

  /**
   * A link to this playground (base: the page's URL without hash); weights when it stays short.
   * epoch: the link trains to this run's epoch on opening (from the initialization, so
   * with the starting weights of a link or file if there were any, never the trained ones).
   */
  shareUrl(base, { withWeights = false, epoch = false } = {}) {
    const { state, picture, metrics } = this.snapshot;
    if (!state) return base;
    if (epoch) return `${base}#${this.rules.encode({ ...state, epoch: metrics.epoch })}`;
    if (withWeights && picture) {
      const url = `${base}#${this.rules.encode({ ...state, weights: flatWeights(picture.parameters) })}`;
      if (url.length <= SHARE_LIMIT) return url;
    }
    return `${base}#${this.rules.encode(state)}`;
  }

  // ---- looking inside

  /**
   * Picks the point the neuron view explains ({ x1, x2, label }, generated data only), or
   * none (null). The worker inspects it in every snapshot from now on.
   */
  pickPoint(point) {
    return this.#enqueue(async () => {
      if (!this.snapshot.state) return;
      try {
        const clean = point && { x1: Number(point.x1), x2: Number(point.x2), label: Number(point.label) };
        const { snapshot } = await this.#worker.request({ type: "probe", point: clean });
        this.#publish({ point: clean });
        this.#apply(snapshot);
      } catch (error) {
        if (!error.workerDied) this.#say(error.message);
      }
    });
  }

  /** Picks the unit the neuron view shows: layer (index of the dense layer), unit; or null. */
  pickNeuron(neuron) {
    const { state } = this.snapshot;
    if (neuron === null || (state && unitExists(state, neuron, this.snapshot.table))) {
      this.#publish({ neuron: neuron && { layer: neuron.layer, unit: neuron.unit } });
    }
  }

  /**
   * Sets one weight of the network now (from: the input unit, or -1 for the bias); the
   * boundary redraws with the next snapshot. Training goes on from it.
   */
  setWeight({ layer, from, to, value }) {
    return this.#enqueue(async () => {
      if (!this.snapshot.state) return;
      try {
        const { snapshot } = await this.#worker.request({ type: "setWeight", layer, from, to, value: Number(value) });
        this.#publish({ exact: false });
        this.#apply(snapshot);
        this.#say("");
      } catch (error) {
        if (!error.workerDied) this.#say(error.message);
      }
    });
  }

  /** inspect({ x1, x2, label }): the worker's inspection of that point, the network unchanged. */
  inspect(point) {
    return this.#enqueue(() => this.#worker.request({ type: "inspect", ...point }));
  }

  /** The loss landscape around the weights now, with the training path on it (snapshot.landscape). */
  computeLandscape() {
    return this.#enqueue(async () => {
      if (!this.snapshot.state) return null;
      const run = this.snapshot.run;
      try {
        this.#publish({ status: "Computing the loss landscape…" });
        const landscape = await this.#worker.request({ type: "landscape", size: 31 });
        if (this.snapshot.run === run) {
          this.#publish({ landscape: { ...landscape, epoch: this.snapshot.metrics.epoch },
            status: `Loss landscape at epoch ${this.snapshot.metrics.epoch}: ${landscape.size ** 2} evaluations.` });
        }
        return this.snapshot.landscape;
      } catch (error) {
        if (!error.workerDied) this.#say(error.message, "");
        return null;
      }
    });
  }

  /** window.nnplay.gradientFlow(): [{ epoch, layers: [mean |dL/dW|] }]. */
  gradientFlow() {
    return this.snapshot.flow.map(({ epoch, layers }) => ({ epoch, layers: [...layers] }));
  }

  /** The network now as code: "tfjs", "keras" or "pytorch" (lib/export-code.js). */
  exportCode(format) {
    const { state, picture, table } = this.snapshot;
    if (!state || !picture) throw new Error("exportCode: the network is not built yet");
    const config = toContract(state, table).config;
    // Every field of the optimizer, the core's defaults for those the playground leaves out
    // (epsilon, Adam's betas), so the code names them.
    const fields = Object.entries(this.rules.schema.optimizers[config.optimizer.type]);
    config.optimizer = { ...Object.fromEntries(fields.map(([key, field]) => [key, field.default])), ...config.optimizer };
    return exportCode(format, { config, weights: picture.parameters,
      features: table ? null : state.features, columns: table?.features ?? null });
  }

  /**
   * A challenge link from the current playground: goal { metric, target }, maxNeurons (0: any),
   * noCrosses, locked (LOCKABLE groups). Throws an Error naming the field when it does not fit.
   */
  challengeUrl(base, { goal, maxNeurons = 0, noCrosses = false, locked = [] }) {
    const { state } = this.snapshot;
    if (!state) throw new Error("challenge: the playground is not ready yet");
    const next = this.rules.validate({ ...state, weights: null, epoch: 0, goal, maxNeurons, noCrosses, locked });
    return `${base}#${this.rules.encode(next)}`;
  }

  // ---- files

  /** Loads a CSV file chosen by the user; a link or model waiting for one opens on it. */
  loadCsv(file) {
    return this.#enqueue(async () => {
      if (!this.snapshot.state) return;
      if (this.snapshot.state.locked.includes("data")) {
        this.#say(`${file.name} was not loaded: this challenge locks ${LOCK_NAMES.data}.`);
        return;
      }
      const source = { file, name: file.name.slice(-LIMITS.name) };
      const size = file.size < 1e6 ? `${(file.size / 1e3).toFixed(1)} kB` : `${(file.size / 1e6).toFixed(1)} MB`;
      this.#publish({ status: `Reading and parsing ${file.name} (${size})…` });
      let note = "";
      try {
        if (this.#pending) {
          const { state, weights, what } = this.#pending;
          try {
            await this.#rebuild({ ...state, file: source.name }, { source, weights });
            this.#pending = null;
            this.#publish({ pending: null, alert: "", status: `Loaded ${file.name} and opened ${what} on it.` });
            return;
          } catch (error) {
            if (error.workerDied) throw error;
            note = `${what === "the link" ? "The link" : what} did not fit ${file.name} (${error.message}), ` +
              "so it opens with its defaults.";
          }
        }
        const state = this.snapshot.state;
        const fresh = { ...state, dataset: "csv", file: source.name, label: "", plotX: "", plotY: "", weights: null };
        await this.#rebuild(this.rules.validate(adaptToTask(this.rules, state, fresh)), { source });
        this.#pending = null;
        this.#publish({ pending: null, alert: note, status: `Loaded ${file.name}: press Play (space) to train.` });
      } catch (error) {
        if (!error.workerDied) {
          this.#say(`${file.name} could not be used: ${error.message}. The data is unchanged.`, "");
        }
      }
    });
  }

  /**
   * Opens a model file (nnplay JSON, or TF.js model.json + weights.bin): its network with its
   * weights, on the data it was made with when the file says (this page's files do), else on
   * the current data. A bad file changes nothing.
   */
  openModel(files) {
    const names = Array.from(files, (f) => f.name).join(" + ");
    return this.#enqueue(async () => {
      const { state, table, csvFile } = this.snapshot;
      if (!state) return;
      if (state.locked.length) {
        this.#say(`${names} was not opened: this challenge locks ${state.locked.map((k) => LOCK_NAMES[k]).join(", ")}.`);
        return;
      }
      try {
        const file = await readModelFiles(files);
        const { config, weights } = file.format === "tfjs" ? fromTFJS(file.artifacts) :
          { config: file.model.config, weights: weightsOfModel(file.model) };
        const made = typeof file.metadata?.playground === "string" ? this.rules.decode(file.metadata.playground) : null;
        const base = made && !made.error ? made.state : state;
        // A TF.js file has no training settings (import makes up Adam): keep the page's then.
        const network = file.format === "tfjs" ? { input: config.input, layers: config.layers, loss: config.loss } : config;
        const sameData = base.dataset === state.dataset && (base.dataset !== "csv" || base.file === state.file);
        const next = mergeContract(this.rules, base, { config: network }, sameData ? table : null);
        if (next.dataset === "csv" && !csvFile) {
          this.#waitForCsv(next, weights, names, "Until then the network is unchanged.");
          return;
        }
        await this.#rebuild(next.dataset === "csv" ? { ...next, file: csvFile } : next, { weights });
        this.#say("", `Opened ${names}; Reset starts from fresh weights.`);
      } catch (error) {
        if (!error.workerDied) this.#say(`${names} could not be opened: ${error.message}. The network is unchanged.`);
      }
    });
  }

  /** The network as files to save: "nnplay" (one JSON file) or "tfjs" (model.json, weights.bin). */
  exportModel(format) {
    return this.#enqueue(async () => {
      const { state } = this.snapshot;
      const { model } = await this.#worker.request({ type: "exportModel", format });
      // The page's settings travel along, so opening the file rebuilds this playground.
      const metadata = { playground: this.rules.encode({ ...state, weights: null }) };
      const name = state.dataset === "csv" ? state.file.replace(/\.[^.]*$/, "") || "data" : state.dataset;
      const files = format === "tfjs" ? tfjsModelFiles(model, { metadata }) :
        [nnplayModelFile(model, { name: `${name}.nnplay.json`, metadata })];
      this.#say("", format === "tfjs" ? "Saved model.json and weights.bin: tf.loadLayersModel reads them." :
        `Saved ${name}.nnplay.json.`);
      return files;
    }).catch((error) => {
      if (!error.workerDied) this.#say(`The model could not be saved: ${error.message}`);
      return [];
    });
  }

  // ---- for tests

  /** Kills the worker on purpose: "error", "memory" or "hang". */
  crashWorker(how) { this.#worker.crash(how); }

  /** The worker's WebAssembly memory: { heapBytes, inUseBytes }. */
  workerMemory() {
    return this.#enqueue(() => this.#worker.request({ type: "memory" }))
      .then(({ heapBytes, inUseBytes }) => ({ heapBytes, inUseBytes }));
  }

  /** How many worker snapshots arrived. */
  get snapshotCount() { return this.#snapshots; }
}

// Whether a state's network has this unit: layer indexes the dense layers (the hidden ones, then the output).
function unitExists(state, { layer, unit }, table) {
  const units = [...state.hidden.map((l) => l.units), table?.outputs ?? 1];
  return Number.isInteger(layer) && Number.isInteger(unit) && layer >= 0 && layer < units.length &&
    unit >= 0 && unit < units[layer];
}
