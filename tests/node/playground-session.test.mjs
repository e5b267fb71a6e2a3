// The playground's session driven in Node, without a DOM or a browser: its worker's requests
// go straight to the trainer the worker runs (web/playground/trainer.js), replies cloned as
// postMessage would. Checks the numbers against the core used directly, commands sent all at
// once, bad input, CSV and model files, and a worker that dies.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { featureMatrix } from "../../web/lib/plane/features.js";
import { defaultState, toConfig } from "../../web/lib/plane/state.js";
import { trainCount } from "../../web/lib/plane/tables.js";
import { PlaygroundSession } from "../../web/playground/session.js";
import { PlaygroundTrainer } from "../../web/playground/trainer.js";

const nn = await loadNN();
const web = new URL("../../web/", import.meta.url);
const fetchPreset = ({ path }) => readFile(new URL(path, web), "utf8");

/**
 * A session whose worker runs in this thread. fail(message) may return an Error to answer a
 * request with instead (a dead worker's requests fail with workerDied).
 */
function makeSession({ fail = () => null } = {}) {
  let trainer = new PlaygroundTrainer(nn, { fetchPreset });
  const worker = {
    restarts: 0,
    async request({ type, ...message }) {
      const error = fail({ type, ...message });
      if (error) throw error;
      return structuredClone(await trainer[type](message));
    },
    restart() {
      trainer = new PlaygroundTrainer(nn, { fetchPreset });  // a new worker holds nothing
      worker.restarts++;
      return true;
    },
    crash() {},
  };
  const session = new PlaygroundSession({ worker, nextFrame: () => new Promise((resolve) => setImmediate(resolve)) });
  return { session, worker };
}

const csvFile = (name, text) => new File([text], name, { type: "text/csv" });
const IRIS_LIKE = ["a,b,species", "1,2,x", "2,1,y", "3,3,z", "1,1,x", "2,2,y", "3,1,z", "1,3,x", "2,3,y"].join("\n");

test("session_steps_to_the_numbers_of_the_core_used_directly", async () => {
  const { session } = makeSession();
  await session.open("");
  const metrics = await session.step(5);
  assert.equal(metrics.epoch, 5);
  // One worker snapshot for the build, at least one per training round trip (perf() counts them).
  assert.ok(Number.isInteger(session.snapshotCount) && session.snapshotCount >= 2, String(session.snapshotCount));

  // The same run without the session: the default playground's data, features and network.
  const state = defaultState();
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  const nTrain = trainCount(all.n, state.trainRatio);
  const x = featureMatrix(all.x.subarray(0, 2 * nTrain), nTrain, state.features);
  const net = nn.createNetwork(toConfig(state));
  net.fit({ x, y: all.y.subarray(0, nTrain), n: nTrain, epochs: 5, batchSize: state.batchSize });
  const testX = featureMatrix(all.x.subarray(2 * nTrain), all.n - nTrain, state.features);
  const direct = net.evaluate(testX, all.y.subarray(nTrain), all.n - nTrain);
  net.delete();
  assert.equal(metrics.testLoss, direct.loss);
  assert.equal(metrics.testAccuracy, direct.accuracy);
  assert.equal(session.snapshot.hash, session.rules.encode(state));
});

test("commands_sent_all_at_once_run_in_order_without_races", async () => {
  const { session } = makeSession();
  await session.open("");
  const seen = [];
  session.subscribe((s) => seen.push(s));
  // A restless user: nothing awaited in between.
  const done = Promise.all([
    session.play(), session.edit({ lr: 0.1 }, "live"), session.step(3), session.reset(),
    session.edit(({ hidden }) => ({ hidden: [...hidden, { units: 3, activation: "relu" }] })),
    session.togglePlay(), session.pause(), session.newData(), session.step(2),
  ]);
  await done;
  const s = session.snapshot;
  assert.equal(s.metrics.epoch, 2);
  assert.equal(s.playing, false);
  assert.equal(s.alert, "");
  assert.equal(s.state.lr, 0.1);
  assert.deepEqual(s.state.hidden.at(-1), { units: 3, activation: "relu" });
  assert.equal(s.state.dataSeed, 2);
  assert.ok(seen.every((snapshot) => Object.isFrozen(snapshot)), "snapshots are immutable");
  // The same state opened afresh and stepped twice gives the same numbers.
  const { session: other } = makeSession();
  await other.open(`#${s.hash}`);
  assert.deepEqual(await other.step(2), s.metrics);
});

test("bad_links_and_edits_say_why_and_change_nothing", async () => {
  const { session } = makeSession();
  await session.open("#v=1&lr=fast");
  assert.match(session.snapshot.alert, /learning rate \(lr\): expected a number, got "fast"/);
  assert.deepEqual(session.snapshot.state, defaultState());
  const before = session.snapshot.state;
  await session.edit({ hidden: [{ units: 999, activation: "tanh" }] });
  assert.match(session.snapshot.alert, /hidden layers \(h\): expected layer 1 units: an integer in \[1, 64\]/);
  assert.deepEqual(session.snapshot.state, before);
  await assert.rejects(session.setState({ config: { optimizer: { type: "sgd", lr: -1 } } }), /learning rate \(lr\)/);
  await assert.rejects(session.step(0), /step: expected a positive integer/);
  assert.equal((await session.step(1)).epoch, 1, "still answering");
});

test("csv_files_load_fit_the_state_and_a_bad_one_changes_nothing", async () => {
  const { session } = makeSession();
  await session.open("");
  await session.loadCsv(csvFile("iris.csv", IRIS_LIKE));
  let s = session.snapshot;
  assert.equal(s.alert, "");
  assert.equal(s.csvFile, "iris.csv");
  assert.deepEqual([s.state.dataset, s.state.label, s.state.plotX, s.state.plotY, s.state.output, s.state.loss],
    ["csv", "species", "a", "b", "softmax", "cross_entropy"]);
  assert.deepEqual([s.table.kind, s.table.rows, s.table.classes], ["multiclass", 8, ["x", "y", "z"]]);
  assert.deepEqual(s.table.columns, ["a", "b", "species"]);

  await session.loadCsv(csvFile("bad.csv", "a,b,species\n1,2,x\n1,oops,y\n"));
  assert.match(session.snapshot.alert, /bad.csv could not be used: line 3, column 2 \("b"\): "oops" is not a number/);
  s = session.snapshot;
  assert.equal(s.csvFile, "iris.csv");
  assert.equal(s.table.rows, 8);
  assert.equal((await session.step(1)).epoch, 1, "trains on the file that loaded");

  // A link made with a CSV file waits for the file, then opens on it.
  const { session: later } = makeSession();
  await later.open(`#${s.hash}`);
  assert.match(later.snapshot.alert, /was made with the CSV file "iris.csv"/);
  assert.equal(later.snapshot.state.dataset, "circle");
  await later.loadCsv(csvFile("iris.csv", IRIS_LIKE));
  assert.equal(later.snapshot.state.dataset, "csv");
  assert.equal(later.snapshot.pending, null);
});

test("a_model_file_opens_with_its_weights_in_a_fresh_session", async () => {
  const { session } = makeSession();
  await session.open("#v=1&data=xor&h=5:relu");
  const trained = await session.step(4);
  for (const format of ["nnplay", "tfjs"]) {
    const files = (await session.exportModel(format)).map(({ name, type, data }) => new File([data], name, { type }));
    const { session: fresh } = makeSession();
    await fresh.open("");
    await fresh.openModel(files);
    const opened = fresh.snapshot;
    assert.equal(opened.alert, "", format);
    assert.equal(opened.state.dataset, "xor", `${format}: the data the file says it was made with`);
    assert.deepEqual(opened.state.hidden, [{ units: 5, activation: "relu" }]);
    for (const key of ["trainLoss", "testLoss", "trainAccuracy", "testAccuracy"]) {
      assert.equal(opened.metrics[key], trained[key], `${format}: ${key}`);
    }
  }
  const { session: fresh } = makeSession();
  await fresh.open("");
  await fresh.openModel([new File(["{}"], "junk.json")]);
  assert.match(fresh.snapshot.alert, /junk.json could not be opened: .*The network is unchanged/);
  assert.deepEqual(fresh.snapshot.state, defaultState());
});

test("a_dead_worker_is_replaced_and_the_state_rebuilt", async () => {
  let dead = false;
  const died = Object.assign(new Error("the training worker stopped: test"), { workerDied: true });
  const { session, worker } = makeSession({ fail: () => (dead ? died : null) });
  await session.open("#v=1&data=spiral&h=6:tanh");
  await session.step(3);
  dead = true;
  session.workerDied("it ran out of memory (test)");
  dead = false;  // the new worker answers
  await session.step(1);
  const s = session.snapshot;
  assert.equal(worker.restarts, 1);
  assert.match(s.alert, /The training worker stopped: it ran out of memory \(test\)\. It was restarted, and the playground was rebuilt/);
  assert.equal(s.state.dataset, "spiral");
  assert.equal(s.metrics.epoch, 1, "training starts again at epoch 0");
});
