// The lesson pages' sessions driven in Node, without a DOM or a browser (their jobs paced by
// setImmediate instead of animation frames): the tutorials' reference numbers,
// the playground link and the network built from one state, commands sent all at once by a
// restless user (no race, no deleted network in use), and bad fields refused by name.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { modelConfig } from "../../web/lib/mnist/models.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { toConfig } from "../../web/lib/plane/state.js";
import { trainCount } from "../../web/lib/plane/tables.js";
import { makeRandom } from "../../web/lib/random.js";
import { MoonsSession } from "../../web/lessons/000-moons/session.js";
import { BreastCancerSession } from "../../web/lessons/001-breast-cancer/session.js";
import { XorSession, X, Y } from "../../web/lessons/002-xor/session.js";
import { NeuronSession } from "../../web/lessons/003-neuron/session.js";
import { BackpropSession } from "../../web/lessons/004-backprop/session.js";
import { playgroundRules } from "../../web/lessons/networks.js";

const nn = await loadNN();
const nextFrame = () => new Promise((resolve) => { setImmediate(resolve); });
const csv = await readFile(new URL("../../web/build/data/breast-cancer.csv", import.meta.url), "utf8");
const MOONS = { hidden: "25:relu,50:relu,50:relu,25:relu", lr: "0.01", batch: "32", epochs: "100" };
const XOR = { hidden: "3", lr: "0.1", epochs: "1000" };
// What a page must never show: an internal error, a network used after it was deleted.
const INTERNAL = /deleted|Cannot read|is not a function|is not defined|undefined|of null|still running/;

/** The first snapshot (the current one included) for which predicate holds. */
const until = (session, predicate) => session.until(predicate);

/** Every alert a session shows from now on, and whether every snapshot was frozen. */
function watch(session) {
  const seen = { alerts: [], frozen: true };
  session.subscribe((snapshot) => {
    if (snapshot.alert && seen.alerts.at(-1) !== snapshot.alert) seen.alerts.push(snapshot.alert);
    seen.frozen &&= Object.isFrozen(snapshot);
  });
  return seen;
}

/** A session of lesson 000 or 002 (Session), started with these fields, and its snapshot once done. */
async function trained(Session, fields) {
  const session = new Session(nn, { nextFrame });
  const seen = watch(session);
  await session.restart(fields);
  return { session, seen, done: await until(session, (s) => s.play === "done") };
}

/** Lesson 001's session, its data opened and its network training. */
async function breastCancer(iterations) {
  const session = new BreastCancerSession(nn, { nextFrame });
  const seen = watch(session);
  await session.open(csv);
  await session.retrain({ iterations });
  return { session, seen };
}

function assertClose(got, expected, what, tolerance = 0.5e-7 + 2e-7 * Math.abs(expected)) {
  assert.ok(Math.abs(got - expected) <= tolerance, `${what}: got ${got}, expected ${expected}`);
}

test("lesson_000_learns_the_moons_from_the_state_its_link_carries", async () => {
  const { session, seen, done } = await trained(MoonsSession, MOONS);
  assert.equal(done.epoch, 100);
  assert.ok(done.testAccuracy >= 0.95, `test accuracy ${done.testAccuracy}`);
  assert.deepEqual(done.filmstrip.map((f) => f.epoch), [0, 1, 5, 20, 50, 100]);
  assert.equal(done.curve.length, 101);

  // The playground opens the link on the same network and data: the same numbers.
  const rules = playgroundRules(nn);
  const { state, error } = rules.decode(done.link);
  assert.equal(error, null);
  await session.restart({ ...MOONS, epochs: "3" });
  const three = await until(session, (s) => s.play === "done");
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  const nTrain = trainCount(all.n, state.trainRatio);
  const net = nn.createNetwork(toConfig(state));
  for (let epoch = 0; epoch < 3; epoch++) net.fit({ x: all.x.subarray(0, 2 * nTrain), y: all.y.subarray(0, nTrain), n: nTrain });
  const direct = net.evaluate(all.x.subarray(2 * nTrain), all.y.subarray(nTrain), all.n - nTrain);
  net.delete();
  assert.equal(three.testLoss, direct.loss);
  assert.deepEqual([seen.alerts, seen.frozen], [[], true]);
});

test("lesson_001_trains_then_draws_the_landscape_and_a_first_path", async () => {
  const { session, seen } = await breastCancer("500");
  const s = await until(session, (x) => x.paths.length === 1 && x.paths[0].done);
  const { training, landscape, paths } = s;
  assert.equal(training.iteration, 500);
  assert.ok(training.testAccuracy > 0.9, `test accuracy ${training.testAccuracy}`);
  assert.deepEqual(training.test, { n: 114, malignant: 44, caught: 44, falseAlarms: 2 });
  assert.equal(landscape.cells, 961);
  // The centre of the grid is the trained network itself.
  assertClose(landscape.loss[480], training.trainLoss, "loss at the centre", 1e-6);
  assert.equal(paths[0].label, "rate 3, plain");
  assert.equal(paths[0].losses.length, 100);
  assert.ok(paths[0].finalLoss < paths[0].losses[0]);
  assert.equal(s.menus.count, 481);
  assert.deepEqual([seen.alerts, seen.frozen], [[], true]);
});

test("lesson_001_commands_sent_all_at_once_never_use_a_deleted_network", async () => {
  const { session, seen } = await breastCancer("30");
  await until(session, (s) => s.landscape && s.landscape.cells > 0 && !s.landscape.done);
  // Retrain while the landscape computes, and everything else, nothing awaited in between.
  await Promise.all([
    session.retrain({ iterations: "20" }), session.runPath(), session.setSlice({ kind: "weights" }),
    session.clearPaths(), session.newDirections(), session.moveStart([0.5, -0.5]), session.retrain({ iterations: "10" }),
    session.setSlice({ span: "2" }), session.nudgeStart([0.05, 0]), session.runPath(),
  ]);
  let s = await until(session, (x) => x.paths.length === 1 && x.paths[0].done);
  assert.equal(s.training.iteration, 10);
  assert.deepEqual([s.landscape.kind, s.landscape.span, s.landscape.cells], ["weights", 2, 961]);
  assert.notEqual(s.slice.a, s.slice.b);
  // Two paths racing, then cleared while one runs.
  await session.setPathOptions({ momentum: true, steps: "1000" });
  await Promise.all([session.runPath(), session.runPath(), session.clearPaths(), session.runPath()]);
  s = await until(session, (x) => x.paths.length === 1 && x.paths[0].losses.length > 8);
  await session.clearPaths();
  assert.deepEqual(session.snapshot.paths, []);
  assert.deepEqual([seen.alerts, seen.frozen], [[], true]);
});

test("lesson_001_refuses_bad_fields_by_name_and_keeps_its_network", async () => {
  const { session } = await breastCancer("20");
  await until(session, (s) => s.pathsReady);
  const { training } = session.snapshot;
  await session.retrain({ iterations: "0" });
  assert.equal(session.snapshot.alert, "Iterations: expected a whole number from 1 to 5000, got 0");
  assert.equal(session.snapshot.invalid, "iterations");
  assert.equal(session.snapshot.training, training, "the trained network stays");
  await session.setPathOptions({ steps: "many" });
  await session.runPath();
  assert.equal(session.snapshot.alert, 'Steps: expected a number, got "many"');
  await session.setSlice({ kind: "weights" });
  await session.setSlice({ a: "3", b: "3" });
  assert.equal(session.snapshot.alert, "Choose two different weights for the slice.");
  await session.setPathOptions({ steps: "5" });
  await session.setSlice({ b: "4" });
  const s = await until(session, (x) => x.paths.length === 1 && x.paths[0].done);
  assert.deepEqual([s.alert, s.invalid, s.paths[0].losses.length], ["", "", 5]);
});

test("lesson_002_learns_xor_with_the_tutorials_network", async () => {
  const { session, seen, done: s } = await trained(XorSession, XOR);
  assert.equal(s.epoch, 1000);
  assert.ok(s.error < 0.01, `error ${s.error}`);
  assert.deepEqual(Array.from(s.outputs, (v) => Math.abs(Math.round(v))), [0, 1, 1, 0]);
  assert.match(s.log, /^epoch 1\/1000 {3}error=0\.\d{6}\n/);
  assert.match(s.link, /^v=1&data=xor&.*&h=3:tanh&out=tanh&loss=mse&opt=sgd&lr=0\.1&.*&bs=1&.*&init=uniform/);
  // The tutorial's network, built by hand, learns exactly the same.
  const net = nn.createNetwork({ input: [2], layers: [{ type: "dense", units: 3, activation: "tanh" },
    { type: "dense", units: 1, activation: "tanh" }], loss: "mse", optimizer: { type: "sgd", lr: 0.1, momentum: 0 },
  init: "uniform", seed: 1, batchSize: 1 });
  const history = net.fit({ x: X, y: Y, n: 4, epochs: 1000, shuffle: false });
  assert.equal(s.error, history.at(-1).loss);
  net.delete();
  // One sample's pass: FC 2->3 and tanh, FC 3->1 and tanh.
  assert.equal(s.inspection.layers.length, 2);
  await session.chooseSample(3);
  await session.stepOnSample();
  const after = session.snapshot;
  assert.deepEqual([after.inspection.sample, after.steps, after.play], [3, 1, "done"]);
  assert.deepEqual([seen.alerts, seen.frozen], [[], true]);
});

test("lesson_002_play_with_a_bad_field_says_why_and_the_page_keeps_working", async () => {
  const session = new XorSession(nn, { nextFrame });
  await session.restart({ ...XOR, epochs: "lots" });
  assert.equal(session.snapshot.alert, 'Epochs: expected a number, got "lots"');
  assert.deepEqual([session.snapshot.invalid, session.snapshot.play], ["epochs", "off"]);
  for (const command of [() => session.togglePlay(), () => session.play(), () => session.stepOnSample()]) {
    await command();
    assert.equal(session.snapshot.alert, 'Nothing to train until this is fixed: Epochs: expected a number, got "lots"');
    assert.equal(session.snapshot.invalid, "epochs");
  }
  await session.chooseSample(2);
  assert.equal(session.snapshot.sample, 2);
  await session.restart({ ...XOR, lr: "-1" });
  assert.match(session.snapshot.alert, /^Learning rate: expected a number in \[0, 100\], got -1/);
  await session.restart({ ...XOR, epochs: "20" });
  const s = await until(session, (x) => x.play === "done");
  assert.deepEqual([s.alert, s.invalid, s.epoch, s.inspection.sample], ["", "", 20, 2]);
});

test("lesson_000_and_002_commands_sent_all_at_once_run_in_order", async () => {
  const moons = new MoonsSession(nn, { nextFrame });
  const xor = new XorSession(nn, { nextFrame });
  const seen = [watch(moons), watch(xor)];
  await Promise.all([
    moons.restart({ ...MOONS, epochs: "5" }), moons.togglePlay(), moons.restart({ ...MOONS, epochs: "x" }),
    moons.play(), moons.restart({ ...MOONS, hidden: "4:relu", epochs: "6" }), moons.pause(), moons.togglePlay(),
    xor.restart(XOR), xor.stepOnSample(), xor.chooseSample(0), xor.togglePlay(), xor.restart({ ...XOR, epochs: "30" }),
    xor.pause(), xor.play(), xor.stepOnSample(), xor.play(),
  ]);
  const [m, x] = await Promise.all([until(moons, (s) => s.play === "done"), until(xor, (s) => s.play === "done")]);
  assert.deepEqual([m.epoch, m.filmstrip.map((f) => f.epoch)], [6, [0, 1, 5, 6]]);
  assert.match(m.code, /"units":4,"activation":"relu"/);
  assert.deepEqual([x.epoch, x.inspection.sample], [30, 0]);
  assert.deepEqual(seen[0].alerts, ['Epochs: expected a number, got "x"',
    'Nothing to train until this is fixed: Epochs: expected a number, got "x"']);
  assert.deepEqual(seen[1].alerts, []);
  assert.deepEqual([m.alert, x.alert], ["", ""]);
});

test("lesson_003_shows_the_tutorials_neuron_network_alice_emily_and_frank", async () => {
  const session = new NeuronSession(nn, { nextFrame });
  const seen = watch(session);
  await session.setNeuron({ w1: "0", w2: "1", b: "4", x1: "2", x2: "3" });
  await session.predict({ weight: "150", height: "66" });
  await session.train({ lr: "0.1", epochs: "1000" });
  const s = await until(session, (x) => x.training.done && x.you);
  assertClose(s.neuron.out, 0.9990889, "neuron");
  assertClose(s.network.out, 0.7216326, "2-2-1");
  assertClose(s.alice.pred, 0.524, "Alice's y_pred", 0.0005);
  assertClose(s.alice.dw1, 0.0214, "dL/dw1", 0.0001);
  assertClose(s.training.emily, 0.95, "Emily", 0.05);
  assertClose(s.training.frank, 0.04, "Frank", 0.04);
  assert.deepEqual(s.you.input, [15, 0]);
  assert.ok(s.you.prediction < 0.5, "150 lb, 66 in: male");
  assert.deepEqual([seen.alerts, seen.frozen], [[], true]);

  await session.setNeuron({ w1: "0", w2: "1", b: "", x1: "2", x2: "3" });
  assert.deepEqual([session.snapshot.alert, session.snapshot.invalid, session.snapshot.neuron],
    ['b: expected a number, got ""', "b", null]);
  await session.predict({ weight: "heavy", height: "66" });
  assert.deepEqual([session.snapshot.alert, session.snapshot.you.input], ['Your weight (lb): expected a number, got "heavy"', null]);
  await Promise.all([session.train({ lr: "0.1", epochs: "0" }), session.predict({ weight: "150", height: "66" }),
    session.train({ lr: "1", epochs: "40" }), session.train({ lr: "0.1", epochs: "60" })]);
  const again = await until(session, (x) => x.training.done);
  assert.equal(again.training.epoch, 60);
});

test("lesson_004_shows_every_step_number_of_the_tutorial", async () => {
  const session = new BackpropSession(nn, { nextFrame, trainer: fakeTrainer() });
  await session.tutorialValues();
  const { before, after, updated } = session.snapshot.step;
  const expected = { z1: 1.124, a1: 0.7547299, z2: 1.7390883, a2: 0.8505712, db2: -0.0189924, dw2: -0.0143341,
    da1: -0.0465313, db1: -0.0086135, dw1: -0.0068908, cost: 0.0111645 };
  for (const [name, value] of Object.entries(expected)) assertClose(before[name], value, name);
  assertClose(after.cost, 0.0110959, "cost after the step");
  assertClose(updated.b2, -0.1081008, "updated b2");
  assertClose(updated.w1, 1.5806891, "updated w1");
  // Taking the step moves the updated weights into the values: the new cost is the old "after".
  await session.takeStep();
  assert.equal(session.snapshot.values.w1, "1.5806891");
  assert.equal(session.snapshot.step.before.cost, after.cost);
  assert.equal(session.snapshot.steps, 1);
  await session.editValue("w2", "");
  assert.deepEqual([session.snapshot.alert, session.snapshot.invalid, session.snapshot.step, session.snapshot.steps],
    ['w₂: expected a number, got ""', "w2", null, 0]);
  await session.takeStep();
  assert.equal(session.snapshot.steps, 0, "no step from bad values");
  await session.tutorialValues();
  assert.deepEqual([session.snapshot.alert, session.snapshot.step.before.cost], ["", before.cost]);
});

// A stand-in for lib/mnist/client.js's Trainer: answers a training with two epochs of progress
// and a model of another seed, or waits for stop(), or dies.
function fakeTrainer({ waitForStop = false } = {}) {
  const trained = nn.createNetwork(modelConfig("mlp30", { seed: 7 }));
  const model = trained.toJSON();
  trained.delete();
  const trainer = {
    calls: 0, stopped: false, restarts: 0, fail: null,
    async train({ epochs }, onProgress) {
      trainer.calls++;
      for (let epoch = 1; epoch <= 2; epoch++) {
        onProgress({ what: "chunk", epoch, seen: epoch * 100, total: epochs * 100, loss: 1 / epoch, accuracy: 0.5,
          samplesPerSecond: 1000, secondsLeft: 1 });
        onProgress({ what: "epoch", epoch, seen: epoch * 100, testLoss: 1 / epoch, testAccuracy: 0.9 });
        await nextFrame();
      }
      while (waitForStop && !trainer.stopped && !trainer.fail) await nextFrame();
      if (trainer.fail) throw trainer.fail;
      return { model, seconds: 1.5, stopped: trainer.stopped, evaluation: { accuracy: 0.9458 } };
    },
    stop() { trainer.stopped = true; },
    restart() { trainer.restarts++; return true; },
  };
  return trainer;
}

test("lesson_004_adopts_the_network_the_worker_trained", async () => {
  const trainer = fakeTrainer({ waitForStop: true });
  const session = new BackpropSession(nn, { nextFrame, trainer });
  const untrained = session.snapshot.mnist;
  assert.equal(untrained.firstLayer.data.length, 784 * 30);
  await session.trainMnist({ epochs: "0", lr: "3" });
  assert.equal(session.snapshot.alert, "Epochs: expected a whole number from 1 to 30, got 0");
  await Promise.all([session.trainMnist({ epochs: "2", lr: "3" }), session.trainMnist({ epochs: "2", lr: "3" }),
    session.newNoise(), session.stopMnist()]);
  const s = await until(session, (x) => x.mnist.trained);
  assert.equal(trainer.calls, 1, "one training at a time");
  assert.deepEqual([s.mnist.training, s.mnist.result, s.mnist.status],
    [false, "9458 of 10,000 test digits right (94.58%)", "Stopped after 1.5 s of training."]);
  assert.equal(s.mnist.log, "Epoch 1: 9000 / 10000\nEpoch 2: 9000 / 10000\n");
  assert.deepEqual(s.mnist.points.map(([set, epochs]) => [set, epochs]), [["train", 1], ["test", 1], ["train", 2], ["test", 2]]);
  assert.notDeepEqual(s.mnist.firstLayer.data, untrained.firstLayer.data);
  assert.equal(s.mnist.noise.outputs.length, 500 * 10);
  await session.newNoise();
  assert.notEqual(session.snapshot.mnist.noise, s.mnist.noise);
  assert.equal(session.snapshot.alert, "");
});

test("lesson_004_a_dead_worker_is_told_and_training_can_start_again", async () => {
  const trainer = fakeTrainer({ waitForStop: true });
  const session = new BackpropSession(nn, { nextFrame, trainer });
  await session.trainMnist({ epochs: "3", lr: "3" });
  await until(session, (x) => x.mnist.points.length > 0);
  trainer.fail = Object.assign(new Error("the training worker stopped"), { workerDied: true });
  session.workerDied("it ran out of memory (test)");
  const s = await until(session, (x) => !x.mnist.training);
  assert.equal(s.alert, "The training worker stopped: it ran out of memory (test). A new one has started: " +
    "press Train to try again.");
  assert.equal(trainer.restarts, 1);
  trainer.fail = null;
  trainer.stopped = true;
  await session.trainMnist({ epochs: "1", lr: "3" });
  assert.equal((await until(session, (x) => x.mnist.trained)).mnist.training, false);
});

test("every_lesson_survives_a_restless_user_with_junk_in_every_field", async () => {
  const random = makeRandom(13);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const junk = () => pick(["", "abc", "-1", "0", "1e9", "NaN", "Infinity", " 7 ", "2.5", "3", "1", "10", "0x10", "25:relu"]);
  const bc = new BreastCancerSession(nn, { nextFrame });
  await bc.open(csv);
  const sessions = {
    moons: [new MoonsSession(nn, { nextFrame }), (s) => pick([
      () => s.restart({ hidden: pick(["4:relu", "", "99:tanh", junk()]), lr: junk(), batch: junk(), epochs: pick(["3", junk()]) }),
      () => s.togglePlay(), () => s.play(), () => s.pause()])()],
    xor: [new XorSession(nn, { nextFrame }), (s) => pick([
      () => s.restart({ hidden: junk(), lr: junk(), epochs: pick(["20", junk()]) }), () => s.togglePlay(),
      () => s.stepOnSample(), () => s.chooseSample(pick([0, 1, 2, 3, 7, "x"]))])()],
    breastCancer: [bc, (s) => pick([
      () => s.retrain({ iterations: pick(["10", junk()]) }), () => s.setSlice({ kind: pick(["random", "weights", "x"]) }),
      () => s.setSlice({ span: junk() }), () => s.setSlice({ a: junk(), b: junk() }), () => s.newDirections(),
      () => s.setPathOptions({ lr: junk(), steps: junk(), momentum: random() < 0.5 }), () => s.runPath(),
      () => s.clearPaths(), () => s.moveStart([junk(), junk()]), () => s.nudgeStart([0.05, 0])])()],
    neuron: [new NeuronSession(nn, { nextFrame }), (s) => pick([
      () => s.setNeuron({ w1: junk(), w2: junk(), b: junk(), x1: junk(), x2: junk() }),
      () => s.train({ lr: junk(), epochs: pick(["30", junk()]) }), () => s.predict({ weight: junk(), height: junk() })])()],
    backprop: [new BackpropSession(nn, { nextFrame, trainer: fakeTrainer() }), (s) => pick([
      () => s.editValue(pick(["x", "y", "w1", "b1", "w2", "b2", "lr"]), junk()), () => s.takeStep(),
      () => s.tutorialValues(), () => s.trainMnist({ epochs: junk(), lr: junk() }), () => s.stopMnist(),
      () => s.newNoise()])()],
  };
  for (const [name, [session, act]] of Object.entries(sessions)) {
    const seen = watch(session);
    const sent = [];
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 8; k++) sent.push(act(session));
      await nextFrame();
    }
    await Promise.all(sent);
    for (const alert of seen.alerts) assert.doesNotMatch(alert, INTERNAL, `${name}: ${alert}`);
    assert.ok(seen.frozen, name);
  }
  // Every page still answers.
  const [moons, xor, , neuron, backprop] = Object.values(sessions).map(([session]) => session);
  await moons.restart({ ...MOONS, epochs: "2" });
  await xor.restart({ ...XOR, epochs: "2" });
  await bc.setSlice({ kind: "random", span: "1" });
  await bc.setPathOptions({ lr: "3", steps: "5" });
  await bc.retrain({ iterations: "5" });
  await neuron.train({ lr: "0.1", epochs: "20" });
  await backprop.tutorialValues();
  const done = await Promise.all([until(moons, (s) => s.play === "done"), until(xor, (s) => s.play === "done"),
    until(bc, (s) => s.paths.length === 1 && s.paths[0].done), until(neuron, (s) => s.training.done)]);
  assert.deepEqual(done.map((s) => s.alert), ["", "", "", ""]);
  assertClose(backprop.snapshot.step.before.cost, 0.0111645, "004 still computes");
});
