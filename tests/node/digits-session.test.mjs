// The digits page's session driven in Node, without a DOM or a browser: its MNIST worker's
// requests go to the worker's own logic in this thread (digits-harness.mjs), on the first few
// thousand MNIST digits. Checks the pad's answers against the core used directly, training and
// its model switch, commands sent all at once, bad links, edits and files, and a worker that dies.
import assert from "node:assert/strict";
import { test } from "node:test";
import { gather, range } from "../../web/lib/mnist/data.js";
import { modelConfig } from "../../web/lib/mnist/models.js";
import { MnistTrainer } from "../../web/lib/mnist/trainer.js";
import { makeRandom, permutation } from "../../web/lib/random.js";
import { preprocess } from "../../web/digits/preprocess.js";
import { TEST_DIGITS, TRAIN_DIGITS, fetchFile, makeSession, mnist, modelFile, nn, until } from "./digits-harness.mjs";

const digit = (i) => mnist.test.images.subarray(i * 784, (i + 1) * 784);
const answer = (session, i) => session.classify(digit(i), 28, 28).probabilities;

// What a network says about test digit i through the pad's preprocessing, computed directly.
function directAnswer(net, i) {
  const out = net.predict(preprocess(digit(i), 28, 28).input28, 1);
  const sum = out.reduce((a, b) => a + b, 0) || 1;
  return Array.from(out, (p) => p / sum);
}

test("classify_gives_the_pretrained_cnns_answers", async () => {
  const { session } = makeSession();
  assert.throws(() => session.classify(digit(0), 28, 28), /no model is loaded yet/);
  await session.start("");
  const { model } = session.snapshot;
  assert.deepEqual([model.name, model.source, model.saved], ["pretrained CNN", "pretrained", false]);
  assert.deepEqual(model.firstWeights.shape, [5, 5, 1, 16]);

  const cnn = nn.fromJSON(await modelFile("digits-cnn.json"));
  let right = 0;
  for (let i = 0; i < 20; i++) {
    const result = session.classify(digit(i), 28, 28);
    assert.deepEqual(result.probabilities, directAnswer(cnn, i), `digit ${i}`);
    if (result.label === mnist.test.labels[i]) right++;
  }
  assert.ok(right >= 19, `${right} of 20 right`);
  assert.equal(session.classify(new Uint8Array(280 * 280), 280, 280).label, null, "a blank picture has no digit");

  // The worker's test of it: the core's evaluation of the same digits.
  const { x, y, n } = gather(mnist.test, range(0, TEST_DIGITS));
  const direct = cnn.evaluate(x, y, n);
  cnn.delete();
  const evaluation = await session.evaluation();
  assert.equal(evaluation.accuracy, direct.accuracy);
  assert.ok(Math.abs(evaluation.loss - direct.loss) < 1e-6, `${evaluation.loss} vs ${direct.loss}`);
});

test("training_one_mlp_epoch_resolves_switches_the_model_and_keeps_it", async () => {
  const { session, store } = makeSession({ pretrained: ["digits-mlp.json"] });
  await session.start("#v=1&model=cnn&epochs=3");
  assert.equal(session.snapshot.model.name, "pretrained MLP 784-128-10", "the fallback when the CNN is missing");
  const result = await session.train({ model: "mlp", epochs: 1 });
  assert.equal(result.stopped, false);
  assert.ok(result.testAccuracy > 0.8 && result.seconds > 0, JSON.stringify(result));

  const s = session.snapshot;
  assert.equal(s.model.name, "MLP 784-128-10, ReLU + softmax, trained here (1 epoch)");
  assert.deepEqual([s.model.source, s.model.saved, s.model.evaluation.accuracy], ["trained", true, result.testAccuracy]);
  assert.deepEqual([s.training.state, s.training.progress, s.training.curve.test.length], ["done", 1, 1]);
  assert.equal(s.training.curve.test[0][0], 1, "the test point after one whole epoch");
  assert.ok(s.training.curve.train.length > 1);
  assert.match(s.status, /^Done: \d+\.\d\d% on the test set after \d+\.\d s of training\./);
  assert.equal(s.hash, "#v=1&model=mlp&epochs=1&optimizer=adam&lr=0.002&decay=1&batch=32&augment=0", "train's request is the settings");

  // The pad reads with the trained network, the one kept for the next visit.
  assert.deepEqual([store.record.name, store.record.active], [s.model.name, true]);
  const trained = nn.fromJSON(store.record.model);
  assert.deepEqual(answer(session, 3), directAnswer(trained, 3));
  trained.delete();

  const { session: next } = makeSession({ store, pretrained: ["digits-mlp.json"] });
  await next.start("");
  assert.deepEqual([next.snapshot.model.source, next.snapshot.saved.name], ["saved", s.model.name]);
  assert.deepEqual(answer(next, 3), answer(session, 3));
  await next.usePretrained();
  assert.equal(next.snapshot.model.source, "pretrained");
  assert.equal(store.record.active, false, "the next visit starts with the pretrained model");
  await next.useSaved();
  assert.deepEqual([next.snapshot.model.source, store.record.active], ["saved", true]);
});

test("training_distorts_digits_with_the_cores_augmenter_on_its_own_stream", async () => {
  // The worker's training, chunked as the clock says, equals one pass of the core's augmenter
  // over the seeded batch order.
  const trainer = new MnistTrainer(nn, { fetchFile });
  const trained = await trainer.train({ kind: "mlp", epochs: 1, augment: true, seed: 7 });
  const order = permutation(TRAIN_DIGITS, makeRandom(7));
  const data = gather(mnist.train, order);
  const augmenter = nn.datasets.digitAugmenter({ seed: 7 });
  const x = augmenter.apply(data.x, data.n);
  augmenter.delete();
  const net = nn.createNetwork(modelConfig("mlp", { seed: 7 }));
  net.fit({ x, y: data.y, n: data.n, epochs: 1, shuffle: false });
  assert.deepEqual(trained.model.weights, net.toJSON().weights);
  net.delete();
  const plain = await trainer.train({ kind: "mlp", epochs: 1, augment: false, seed: 7 });
  assert.notDeepEqual(plain.model.weights, trained.model.weights);
});

test("decay_multiplies_the_learning_rate_after_every_epoch", async () => {
  // Two epochs with decay 0.5 equal an epoch at lr, then setLearningRate(lr / 2) and another.
  const trainer = new MnistTrainer(nn, { fetchFile });
  const rates = new Set();
  const trained = await trainer.train({ kind: "mlp", epochs: 2, decay: 0.5, seed: 3 },
    (p) => p.what === "chunk" && rates.add(`${p.epoch}:${p.lr}`));
  assert.deepEqual([...rates], ["1:0.002", "2:0.001"]);
  const random = makeRandom(3);
  const net = nn.createNetwork(modelConfig("mlp", { seed: 3 }));
  for (const lr of [0.002, 0.001]) {
    net.setLearningRate(lr);
    net.fit({ ...gather(mnist.train, permutation(TRAIN_DIGITS, random)), epochs: 1, shuffle: false });
  }
  assert.deepEqual(trained.model.weights, net.toJSON().weights);
  net.delete();
  await assert.rejects(trainer.train({ kind: "mlp", epochs: 1, decay: 0 }), /decay: expected a number in \(0, 1\]/);
});

test("a_stop_reaches_its_training_however_early_and_never_the_next", async () => {
  const trainer = new MnistTrainer(nn, { fetchFile });
  // Lesson 004's stop names no run: it stops the training under way, MNIST's loading included.
  const early = trainer.train({ kind: "mlp30", epochs: 3 });
  trainer.stop();
  assert.equal((await early).stopped, true);
  // The page's stop names its run, and may arrive before that training started, or after it ended.
  trainer.stop({ run: 2 });
  assert.equal((await trainer.train({ kind: "mlp30", epochs: 3, run: 2 })).stopped, true);
  trainer.stop({ run: 2 });
  assert.equal((await trainer.train({ kind: "mlp30", epochs: 1, run: 3 })).stopped, false);
});

test("commands_sent_all_at_once_do_not_race", async () => {
  const { session, store } = makeSession({ pretrained: ["digits-mlp.json"] });
  const seen = [];
  session.subscribe((s) => seen.push(s));
  // A restless user: nothing awaited, the page still loading, Stop before training even began.
  const calls = [
    session.start(""),
    session.train({ model: "mlp30", epochs: 2 }),
    session.train({ model: "mlp" }),
    session.useSaved(),
    session.usePretrained(),
    session.exportModel("nnplay"),
    session.newNoise(),
    session.openModelFiles([new File(["{ not json"], "junk.json")]),
  ];
  session.stop();
  session.stop();
  session.editSettings({ epochs: "many" });
  const [started, trained, twice, , , exported, , opened] = await Promise.allSettled(calls);
  assert.equal(started.status, "fulfilled");
  assert.equal(opened.status, "fulfilled");
  assert.deepEqual(trained.value, { ...trained.value, stopped: true }, "the stop reached a training still queued");
  assert.match(twice.reason.message, /^Training is already running/);
  const [file] = exported.value;
  assert.equal(file.name, "nnplay-digits-model.json");
  assert.deepEqual(JSON.parse(file.data), await modelFile("digits-mlp.json"), "the model in use when it ran");

  const s = session.snapshot;
  assert.equal(s.model.name, "MLP 784-30-10, sigmoid (tutorial 004), trained here (stopped early)");
  assert.equal(s.training.state, "stopped");
  assert.equal(store.record.name, s.model.name);
  assert.equal(s.settings.model, "mlp30", "the refused edit changed nothing");
  assert.ok(seen.some((x) => /^Epochs \(epochs\): expected an integer from 1 to 50, got "many"/.test(x.alert)));
  assert.match(s.alert, /^junk\.json could not be opened: junk\.json is not a JSON file/, "the last word");
  assert.ok(seen.every((x) => Object.isFrozen(x) && Object.isFrozen(x.training) && Object.isFrozen(x.settings)),
    "snapshots are immutable");
});

test("a_junk_model_file_changes_nothing", async () => {
  const { session, store } = makeSession({ pretrained: ["digits-mlp.json"] });
  await session.start("");
  const { id } = session.snapshot.model;
  const before = answer(session, 5);
  const mlp = await modelFile("digits-mlp.json");
  const truncated = { ...mlp, weights: mlp.weights.map((w, i) => (i === 0 ? { ...w, data: w.data.slice(0, 10) } : w)) };
  const small = { format: "nnplay-model", version: 1,
    config: { input: [2], layers: [{ type: "dense", units: 1, activation: "sigmoid" }], loss: "bce" },
    weights: [{ name: "dense_0/kernel", shape: [2, 1], data: [0, 0] }, { name: "dense_0/bias", shape: [1], data: [0] }] };
  for (const [files, why] of [
    [[new File(["{ not json"], "notes.json")], /^notes\.json could not be opened: notes\.json is not a JSON file/],
    [[new File(['{"format": 1}'], "other.json")], /other\.json is neither an nnplay model/],
    [[new File([JSON.stringify(truncated)], "truncated.json")], /^truncated\.json could not be opened: .*weights\[0\]/],
    [[new File([JSON.stringify(small)], "small.json")], /this model maps 2 inputs to 1 outputs; the digits page needs 784/],
    [[new File([new Uint8Array(8)], "weights.bin")], /choose the model file too/],
  ]) {
    await session.openModelFiles(files);
    assert.match(session.snapshot.alert, why);
    assert.match(session.snapshot.alert, /The model reading the pad is unchanged\.$/);
    assert.equal(session.snapshot.model.id, id);
    assert.deepEqual(answer(session, 5), before);
    assert.equal(store.record, null, "nothing was kept");
  }
  // The session's own TF.js files open, read the same, and are kept.
  const files = (await session.exportModel("tfjs")).map(({ name, type, data }) => new File([data], name, { type }));
  await session.openModelFiles(files);
  assert.equal(session.snapshot.alert, "");
  assert.equal(session.snapshot.model.name, "loaded from model.json + weights.bin");
  assert.deepEqual(answer(session, 5), before);
  assert.equal(store.record.name, "loaded from model.json + weights.bin");
});

test("a_dead_worker_is_recovered_and_the_model_reading_the_pad_stays", async () => {
  const { session, worker } = makeSession({ pretrained: ["digits-mlp.json"] });
  await session.start("");
  const { accuracy } = await session.evaluation();
  const before = answer(session, 7);
  const training = session.train({ model: "mlp", epochs: 20 });
  await until(session, (s) => s.training.state === "running");
  worker.die("it ran out of memory (test)");
  await assert.rejects(training, { workerDied: true, message: "the training worker stopped: it ran out of memory (test)" });
  const s = session.snapshot;
  assert.equal(s.alert, "The training worker stopped: it ran out of memory (test). It was restarted: it loads the " +
    "MNIST data again and retests the model in use. The training that was running is lost; the model reading the " +
    "pad is unchanged.");
  assert.deepEqual([s.training.state, s.status], ["lost", "Training lost: the worker stopped (see above)."]);
  assert.equal(s.model.name, "pretrained MLP 784-128-10");
  assert.deepEqual(answer(session, 7), before);
  assert.equal(worker.restarts, 1);
  assert.equal((await session.evaluation()).accuracy, accuracy, "retested by the new worker");
  await until(session, (x) => x.data.state === "ready");
  const result = await session.train({ model: "mlp30", epochs: 1 });
  assert.equal(result.stopped, false, "the new worker trains");

  // A worker that dies again and again, each time before it answers, is given up on.
  for (let i = 0; i < 4; i++) worker.die("test");
  assert.equal(session.snapshot.alert, "The training worker stopped: test. It could not be restarted: reload the page.");
  assert.equal(session.classify(digit(7), 28, 28).label, mnist.test.labels[7], "the pad still reads");
});

test("links_edits_and_train_requests_name_the_field_at_fault_and_change_nothing", async () => {
  const { session } = makeSession();
  session.openLink("#v=1&model=mlp30&epochs=3");
  const linked = session.snapshot;
  assert.deepEqual(linked.settings, { model: "mlp30", epochs: 3, optimizer: "sgd", lr: 3, decay: 1, batch: 10, augment: false });
  assert.equal(linked.alert, "");
  session.openLink(linked.hash);
  assert.deepEqual(session.snapshot.settings, linked.settings, "the same hash gives the same settings");

  session.openLink("#v=1&dataset=spiral");
  assert.equal(session.snapshot.alert, "The link's settings were not used (unknown setting \"dataset\"); showing the defaults.");
  assert.equal(session.snapshot.settings.model, "mlp");
  session.openLink("#v=1&model=toString");
  assert.match(session.snapshot.alert, /Network \(model\): expected one of mlp, mlp30, cnn, cnnbn, got "toString"/);

  const settings = session.snapshot.settings;
  for (const [patch, why] of [
    [{ epochs: "500" }, 'Epochs (epochs): expected an integer from 1 to 50, got "500". The settings are unchanged.'],
    [{ lr: "" }, "Learning rate (lr): expected a number from 0.000001 to 10, got nothing. The settings are unchanged."],
    [{ batch: "1e9" }, 'Batch (batch): expected an integer from 1 to 1024, got "1e9". The settings are unchanged.'],
    [{ optimizer: "<b>rmsprop</b>" }, /^Optimizer \(optimizer\): expected one of adam, sgd, got "<b>rmsprop<\/b>"/],
  ]) {
    session.editSettings(patch);
    if (typeof why === "string") assert.equal(session.snapshot.alert, why);
    else assert.match(session.snapshot.alert, why);
    assert.deepEqual(session.snapshot.settings, settings);
  }
  session.editSettings({ epochs: "4", augment: true });
  session.editSettings({ model: "cnn" });
  assert.deepEqual(session.snapshot.settings, { model: "cnn", epochs: 4, optimizer: "adam", lr: 0.004, decay: 0.4, batch: 32, augment: true },
    "a new network brings its own optimizer, rate, decay and batch");
  assert.equal(session.snapshot.alert, "");

  await assert.rejects(session.train({ model: "rnn" }), /Network \(model\): expected one of mlp, mlp30, cnn, cnnbn, got "rnn"/);
  await assert.rejects(session.train({ epochs: 0 }), /Epochs \(epochs\): expected an integer from 1 to 50, got "0"/);
  await assert.rejects(session.train({ speed: 3 }), /unknown setting "speed"/);
  assert.equal(session.snapshot.training.state, "idle");
  assert.equal(session.snapshot.settings.model, "cnn", "a refused request changes nothing");
});
