// The playground's insight features driven in Node through its session (no DOM), against the
// core used directly on the same data and weights: a point inspected inside the network, the
// gradient flow, epoch links, challenges, weight edits, the loss landscape and code export.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flatWeights, withFlatWeights } from "../../web/lib/flat-weights.js";
import { Slice, pathDirections } from "../../web/lib/landscape/slice.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { featureMatrix } from "../../web/lib/plane/features.js";
import { defaultState, parameterCount, toConfig } from "../../web/lib/plane/state.js";
import { trainCount } from "../../web/lib/plane/tables.js";
import { PlaygroundSession } from "../../web/playground/session.js";
import { PlaygroundTrainer } from "../../web/playground/trainer.js";
import { compilePython, largestDifference, predictWithExportedTFJS } from "./exported-code.mjs";

const nn = await loadNN();

function makeSession() {
  const trainer = new PlaygroundTrainer(nn, { fetchPreset: () => Promise.reject(new Error("no presets here")) });
  const worker = {
    async request({ type, ...message }) { return structuredClone(await trainer[type](message)); },
    restart() { return true; },
    crash() {},
  };
  return new PlaygroundSession({ worker, nextFrame: () => new Promise((resolve) => setImmediate(resolve)) });
}

/** The playground's training run without the session: its data, features and network. */
function directRun(state) {
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  const nTrain = trainCount(all.n, state.trainRatio);
  const x = featureMatrix(all.x.subarray(0, 2 * nTrain), nTrain, state.features);
  const net = nn.createNetwork(toConfig(state));
  const fit = (epochs) => net.fit({ x, y: all.y.subarray(0, nTrain), n: nTrain, epochs, batchSize: state.batchSize,
    layerStats: true });
  const testX = featureMatrix(all.x.subarray(2 * nTrain), all.n - nTrain, state.features);
  return { net, fit, evaluate: () => net.evaluate(testX, all.y.subarray(nTrain), all.n - nTrain) };
}

// The session's weights in a network of the same config.
function netWithWeightsOf(session) {
  const net = nn.createNetwork(toConfig(session.snapshot.state));
  net.setWeights(withFlatWeights(net.getWeights(), flatWeights(session.snapshot.picture.parameters)));
  return net;
}

test("inspect_of_a_point_is_the_core_on_the_same_weights_and_features_and_matches_the_hand_formulas", async () => {
  const session = makeSession();
  await session.open("#v=1&f=x1,x2,x1x2&h=3:relu,2:tanh&opt=momentum");
  await session.step(12);
  const point = { x1: 1.25, x2: -2.5, label: 1 };
  await session.pickPoint(point);
  const seen = await session.inspect(point);
  const probe = session.snapshot.picture.probe;
  assert.deepEqual(probe.layers.map((l) => Array.from(l.dz)), seen.layers.map((l) => Array.from(l.dz)));

  const net = netWithWeightsOf(session);
  const x = new Float32Array([1.25, -2.5, 1.25 * -2.5]);
  const y = new Float32Array([1]);
  const direct = net.inspect(x, y, 1);
  assert.deepEqual(Array.from(seen.inputs), Array.from(x));
  assert.equal(seen.loss, direct.loss);
  direct.layers.forEach((layer, k) => {
    for (const key of ["z", "a", "dz", "dW", "db"]) assert.deepEqual(Array.from(seen.layers[k][key]), Array.from(layer[key]), `${key} ${k}`);
  });
  // The hand formulas of lesson 004 on layer 2, unit 1: z = Σ w a + b, a = tanh z, dL/dw = a_in dL/dz.
  const weights = net.getWeights();
  const [kernel, bias] = [weights[2].data, weights[3].data];
  const aIn = seen.layers[0].a;
  const z = aIn.reduce((sum, a, i) => sum + kernel[i * 2] * a, bias[0]);
  assert.ok(Math.abs(z - seen.layers[1].z[0]) < 1e-6, `${z} vs ${seen.layers[1].z[0]}`);
  assert.ok(Math.abs(Math.tanh(z) - seen.layers[1].a[0]) < 1e-6);
  for (let i = 0; i < 3; i++) {
    assert.ok(Math.abs(aIn[i] * seen.layers[1].dz[0] - seen.layers[1].dW[i * 2]) < 1e-7, `dW[${i}]`);
  }
  // The update the optimizer (momentum 0.9, its velocity after 12 epochs) would make: previewUpdate's.
  const update = net.previewUpdate(x, y, 1);
  // The session's network has the velocity, the fresh one none: compare with one that trained the same run.
  const run = directRun(session.snapshot.state);
  run.fit(12);
  const withState = run.net.previewUpdate(x, y, 1);
  assert.deepEqual(Array.from(seen.layers[1].updateW), Array.from(withState.layers[1].updateW));
  assert.notDeepEqual(Array.from(update.layers[1].updateW), Array.from(withState.layers[1].updateW),
    "momentum's velocity is part of the update");
  run.net.delete();
  net.delete();
});

test("gradient_flow_is_fit_layer_stats_of_the_same_run_and_dead_relus_are_found", async () => {
  const session = makeSession();
  // Eight sigmoid layers: the first layer's gradient is orders of magnitude below the last's.
  const hidden = Array.from({ length: 8 }, () => "6:sigmoid").join(",");
  await session.open(`#v=1&h=${hidden}&lr=0.1`);
  await session.step(7);
  await session.step(8);
  const flow = session.gradientFlow();
  const run = directRun(session.snapshot.state);
  const history = run.fit(15);
  assert.deepEqual(flow.map((e) => e.epoch), history.map((e) => e.epoch));
  assert.deepEqual(flow.map((e) => e.layers), history.map((e) => e.layers.map((l) => l.meanAbsGradient)));
  assert.deepEqual(session.snapshot.flow.map((e) => e.updates), history.map((e) => e.layers.map((l) => l.meanAbsUpdate)));
  const last = flow.at(-1).layers;
  assert.ok(last[0] < last[8] / 100, `vanishing: first ${last[0]}, output ${last[8]}`);
  run.net.delete();

  // A ReLU unit whose bias and weights make it negative everywhere is dead; the others are not.
  await session.open("#v=1&h=3:relu&init=he");
  const weights = session.snapshot.picture.weights;
  await session.setWeight({ layer: 0, from: -1, to: 1, value: -100 });
  const dead = session.snapshot.picture.dead;
  assert.deepEqual(dead, [[1]]);
  // Independently: its activation is 0 on every training point.
  const net = netWithWeightsOf(session);
  const state = session.snapshot.state;
  const all = nn.datasets.make(state.dataset, { n: state.points, noise: state.noise, seed: state.dataSeed });
  const n = trainCount(all.n, state.trainRatio);
  const a = net.activations(all.x.subarray(0, 2 * n), n)[0].data;
  assert.ok(Array.from({ length: n }, (_, i) => a[3 * i + 1]).every((v) => v === 0));
  assert.ok(Array.from({ length: n }, (_, i) => a[3 * i]).some((v) => v > 0));
  assert.equal(session.snapshot.picture.weights[1].data[1], -100);
  assert.equal(weights[1].data[0], session.snapshot.picture.weights[1].data[0], "only that bias changed");
  assert.equal(session.snapshot.exact, false, "an edited weight makes the run no longer its settings' replay");
  net.delete();
});

test("an_epoch_link_trains_to_exactly_the_metrics_of_the_run_it_was_made_from", async () => {
  const first = makeSession();
  await first.open("#v=1&data=moons&n=240&noise=0.2&f=x1,x2,x1x2&h=6:relu,3:tanh&opt=adam&lr=0.01&seed=5");
  await first.step(10);
  await first.step(27);
  const url = first.shareUrl("http://localhost/", { epoch: true });
  assert.match(url, /&ep=37$/);
  const second = makeSession();
  const statuses = [];
  second.subscribe((s) => statuses.push(s.seeking));
  await second.open(url.slice(url.indexOf("#")));
  assert.deepEqual(second.snapshot.metrics, first.snapshot.metrics);
  assert.deepEqual(second.gradientFlow(), first.gradientFlow());
  assert.ok(statuses.some((s) => s?.target === 37), "a seek was shown");
  assert.equal(second.snapshot.seeking, null);
  assert.doesNotMatch(second.snapshot.hash, /ep=/, "the address bar does not keep retraining on reload");
  assert.match(second.snapshot.status, /^Epoch 37, as the link asks: paused/);
  // Reset keeps the initialization (same run again), New seed changes it.
  await second.reset();
  assert.deepEqual(await second.step(37), first.snapshot.metrics);
  await second.newSeed();
  assert.notDeepEqual(await second.step(37), first.snapshot.metrics);
});

test("a_challenge_link_shows_its_goal_locks_its_controls_and_is_met", async () => {
  const session = makeSession();
  const base = makeSession();
  await base.open("#v=1&f=x1,x2&h=3:tanh&lr=0.3");
  const url = base.challengeUrl("http://localhost/", { goal: { metric: "testAccuracy", target: 0.9 }, maxNeurons: 4,
    noCrosses: true, locked: ["features", "optimizer"] });
  assert.match(url, /&goal=acc:90&maxn=4&nocross=1&lock=features,optimizer$/);
  await session.open(url.slice(url.indexOf("#")));
  assert.deepEqual(session.snapshot.challenge, { goal: { metric: "testAccuracy", target: 0.9, maxNeurons: 4,
    noCrosses: true, locked: ["features", "optimizer"] }, met: false, epoch: null,
  value: session.snapshot.metrics.testAccuracy });
  // Locked controls refuse; the others work, within the challenge's limits.
  await session.edit({ lr: 0.01 }, "live");
  assert.match(session.snapshot.alert, /This challenge locks the optimizer, learning rate and batch size/);
  assert.equal(session.snapshot.state.lr, 0.3);
  await session.edit({ features: ["x1", "x2", "x1x2"] });
  assert.match(session.snapshot.alert, /locks the inputs|without feature crosses/);
  await session.edit({ hidden: [{ units: 5, activation: "tanh" }] });
  assert.match(session.snapshot.alert, /most neurons \(maxn\): this challenge allows at most 4 hidden neurons/);
  await session.edit({ hidden: [{ units: 4, activation: "tanh" }] });
  assert.equal(session.snapshot.alert, "");
  let metrics;
  for (let round = 0; round < 20 && !session.snapshot.challenge.met; round++) metrics = await session.step(25);
  const { challenge } = session.snapshot;
  assert.equal(challenge.met, true, JSON.stringify(metrics));
  assert.ok(challenge.value >= 0.9);
  assert.ok(challenge.epoch > 0 && challenge.epoch <= metrics.epoch);
  // Bad challenge fields in a link name the field and open the defaults.
  for (const [hash, field] of [["#v=1&goal=acc:150", "(goal)"], ["#v=1&goal=acc:90&maxn=2", "(maxn)"],
    ["#v=1&maxn=4", "(goal)"], ["#v=1&goal=acc:90&lock=lr", "(lock)"], ["#v=1&data=reg-plane&out=linear&loss=mse&goal=acc:90", "(goal)"]]) {
    await session.open(hash);
    assert.ok(session.snapshot.alert.includes(field), `${hash}: ${session.snapshot.alert}`);
    assert.equal(session.snapshot.challenge, null);
  }
  assert.throws(() => base.challengeUrl("http://x/", { goal: { metric: "testLoss", target: -1 } }),
    /challenge goal \(goal\): expected a test loss in \(0, 100\]/);
});

test("the_landscape_is_the_training_loss_around_the_weights_with_the_path_ending_at_its_centre", async () => {
  const session = makeSession();
  await session.open("");
  await session.step(40);
  const landscape = await session.computeLandscape();
  const { size, loss, path, span } = landscape;
  assert.equal(size, 31);
  assert.ok(Math.abs(loss[15 * size + 15] - session.snapshot.metrics.trainLoss) < 1e-6);
  assert.deepEqual(path.at(-1), [0, 0]);
  assert.ok(path.every(([a, b]) => Math.abs(a) <= span && Math.abs(b) <= span));
  assert.equal(path.length, 41, "every epoch's weights while fewer than 200");
  // The principal directions of a path along a line are that line.
  const line = Array.from({ length: 5 }, (_, t) => new Float32Array([t, 2 * t, 0, (t * t) / 10]));
  const [d1] = pathDirections(line);
  const slice = new Slice([{ shape: [4], data: line[4] }], d1, pathDirections(line)[1]);
  const [alpha] = slice.project([{ shape: [4], data: line[0] }]);
  assert.ok(Math.abs(Math.abs(alpha) - Math.hypot(4, 8, 0, 1.6)) < 0.3, String(alpha));
});

test("exported_tfjs_code_predicts_what_the_core_predicts_and_python_code_compiles", async () => {
  const session = makeSession();
  await session.open("#v=1&data=xor&f=x1,x2,x1x2,sinx1&h=5:relu,3:sigmoid&lr=0.1");
  await session.step(20);
  const points = Float32Array.from({ length: 400 }, (_, i) => ((i * 7919) % 1200) / 100 - 6);
  const { values } = await predictWithExportedTFJS(session.exportCode("tfjs"), points);
  const net = netWithWeightsOf(session);
  const core = net.predict(featureMatrix(points, 200, session.snapshot.state.features), 200);
  const difference = largestDifference(values, core);
  assert.ok(difference <= 1e-5, `largest difference ${difference}`);
  console.log(`exported TF.js model: largest prediction difference ${difference.toExponential(2)} over 200 points`);
  net.delete();
  for (const format of ["keras", "pytorch"]) {
    const code = session.exportCode(format);
    assert.match(code, /^def features\(x1, x2\):$/m);
    assert.match(code, /np\.stack\(\[x1, x2, x1 \* x2, np\.sin\(x1\)\], axis=-1\)/);
    const { ok, message } = await compilePython(code);
    assert.ok(ok, `${format}: ${message}`);
  }
  assert.throws(() => session.exportCode("onnx"), /exportCode: format must be one of tfjs\|keras\|pytorch, got "onnx"/);
});

test("a_network_with_batch_norm_is_inspected_drawn_shared_and_exported_as_the_core_computes_it", async () => {
  const session = makeSession();
  await session.open("#v=1&data=xor&f=x1,x2,x1x2&h=4:tanh:bn,3:relu:bn&lr=0.1");
  await session.step(8);
  const { picture, state } = session.snapshot;
  // The diagram's weights are the 3 dense layers'; the parameters also batch norm's 2 x 4 tensors.
  assert.deepEqual(picture.weights.map((w) => w.shape), [[3, 4], [4], [4, 3], [3], [3, 1], [1]]);
  assert.equal(picture.parameters.length, 14);
  assert.equal(flatWeights(picture.parameters).length, parameterCount(state));
  assert.ok(session.gradientFlow().every((entry) => entry.layers.length === 3));

  // A playground layer with batch norm: the dense layer's z, dz, dW, db, the batch norm's output a
  // and its z (normalized, before the activation) as norm.z; the core's numbers.
  const point = { x1: 1.5, x2: -0.5, label: 1 };
  const seen = await session.inspect(point);
  const net = netWithWeightsOf(session);
  const direct = net.inspect(new Float32Array([1.5, -0.5, -0.75]), new Float32Array([1]), 1).layers;
  assert.deepEqual(direct.map((l) => l.layer), [0, 1, 2, 3, 4]);
  for (const [k, dense, norm] of [[0, 0, 1], [1, 2, 3]]) {
    for (const key of ["z", "dz", "dW", "db"]) assert.deepEqual(Array.from(seen.layers[k][key]), Array.from(direct[dense][key]), `${key} ${k}`);
    assert.deepEqual(Array.from(seen.layers[k].a), Array.from(direct[norm].a));
    assert.deepEqual(Array.from(seen.layers[k].norm.z), Array.from(direct[norm].z));
  }
  assert.equal(seen.layers[2].norm, null);
  // Units on the grid are the layers' outputs after batch norm and the activation.
  assert.equal(picture.units.length, 4);

  // An edited weight lands in the dense layer, not in batch norm's tensors.
  await session.setWeight({ layer: 1, from: 0, to: 0, value: 0.5 });
  const edited = session.snapshot.picture.parameters.find((w) => w.name === "dense_2/kernel");
  assert.equal(edited.data[0], 0.5);
  const link = session.shareUrl("http://x/", { withWeights: true });
  assert.match(link, /&w=/);
  assert.equal(session.rules.decode(link.slice(link.indexOf("#"))).error, null);

  // The exported code folds each batch norm into the dense layer before it: same predictions.
  const points = Float32Array.from({ length: 400 }, (_, i) => ((i * 7919) % 1200) / 100 - 6);
  const { values } = await predictWithExportedTFJS(session.exportCode("tfjs"), points);
  const now = netWithWeightsOf(session);
  const difference = largestDifference(values, now.predict(featureMatrix(points, 200, state.features), 200));
  assert.ok(difference <= 1e-5, `largest difference ${difference}`);
  for (const format of ["keras", "pytorch"]) assert.ok((await compilePython(session.exportCode(format))).ok, format);
  // The landscape moves the trained parameters only: the moving statistics stay as they are now,
  // so its centre is the training loss now.
  const landscape = await session.computeLandscape();
  const centre = landscape.loss[(landscape.size * landscape.size - 1) / 2];
  assert.ok(Math.abs(centre - session.snapshot.metrics.trainLoss) < 1e-6, `${centre}`);
  assert.ok(landscape.loss.every(Number.isFinite));
  now.delete();
  net.delete();
});

test("exported_code_maps_the_new_activations_optimizers_and_schedules_to_each_frameworks_own", async () => {
  const session = makeSession();
  await session.open("#v=1&data=xor&h=5:leaky_relu,4:elu,4:gelu,3:softplus,3:swish&opt=adamw&lr=0.01&wd=0.01" +
    "&sch=cosine,decaySteps:500,alpha:0.1");
  await session.step(5);
  const points = Float32Array.from({ length: 400 }, (_, i) => ((i * 7919) % 1200) / 100 - 6);
  const tfjs = session.exportCode("tfjs");
  assert.match(tfjs, /tf\.layers\.leakyReLU\(\{ alpha: 0\.2 \}\)/);
  assert.match(tfjs, /Not here: AdamW's weight decay \(0\.01\)/);
  const { values } = await predictWithExportedTFJS(tfjs, points);
  const net = netWithWeightsOf(session);
  const difference = largestDifference(values, net.predict(featureMatrix(points, 200, session.snapshot.state.features), 200));
  assert.ok(difference <= 1e-5, `largest difference ${difference}`);
  net.delete();
  const keras = session.exportCode("keras");
  assert.match(keras, /keras\.layers\.LeakyReLU\(negative_slope=0\.2\)/);
  assert.match(keras, /keras\.optimizers\.AdamW\(learning_rate=keras\.optimizers\.schedules\.CosineDecay\(0\.01, 500, alpha=0\.1\), weight_decay=0\.01/);
  const torch = session.exportCode("pytorch");
  for (const name of ["nn.LeakyReLU(0.2)", "nn.ELU", "nn.GELU", "nn.Softplus", "nn.SiLU",
    "torch.optim.AdamW(params, lr=0.01, weight_decay=0.01", "torch.optim.lr_scheduler.LambdaLR"]) {
    assert.ok(torch.includes(name), `pytorch code has ${name}`);
  }
  for (const [format, code] of [["keras", keras], ["pytorch", torch]]) {
    const { ok, message } = await compilePython(code);
    assert.ok(ok, `${format}: ${message}`);
  }
  // Each optimizer's own line.
  const line = (hash, format) => session.open(`#v=1&data=xor&${hash}`).then(() => session.exportCode(format));
  assert.match(await line("opt=nesterov&mom=0.8", "keras"), /SGD\(learning_rate=0\.03, momentum=0\.8, nesterov=True\)/);
  assert.match(await line("opt=nesterov&mom=0.8", "tfjs"), /tf\.train\.momentum\(0\.03, 0\.8, true\)/);
  assert.match(await line("opt=rmsprop&rho=0.8", "pytorch"), /RMSprop\(params, lr=0\.03, alpha=0\.8, eps=1e-7\)/);
  assert.match(await line("opt=adagrad&sch=step,every:10,factor:0.5", "keras"),
    /Adagrad\(learning_rate=keras\.optimizers\.schedules\.ExponentialDecay\(0\.03, 10, 0\.5, staircase=True\)\)/);
  assert.match(await line("opt=adagrad&sch=step,every:10,factor:0.5", "pytorch"), /lambda t: 0\.5 \*\* \(t \/\/ 10\)/);
});
