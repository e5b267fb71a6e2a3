// The threaded core: loadNN({ threads }) and the same bits for any number of threads, on the
// products that are split (MLP and CNN training and prediction).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { modelConfig } from "../../web/lib/mnist/models.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { fingerprint } from "./fingerprint.mjs";

const config = async (name) => JSON.parse(await readFile(new URL(`../../bench/${name}.json`, import.meta.url)));

function digitsLike(n) {
  const x = new Float32Array(n * 784), y = new Float32Array(n * 10);
  for (let i = 0; i < x.length; i++) x[i] = (Math.sin(i * 0.37) + Math.cos(i * 0.011)) / 4 + 0.5;
  for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
  return { x, y, n };
}

// Trains a fresh network and returns each epoch's loss, the loss evaluate() reports on data,
// and fingerprints of its weights and its predictions. (trained on `trainOn`: data's
// { x, y, n } or { data } from nn.upload; with a softmax output, the losses come from the sums
// its forward pass kept, whether it ran whole, in parts or by rows. With `plain`, fit's
// layerStats, which train every batch whole, gathered, as the reference for training by rows,
// which a network of dense layers whose first layer holds nearly all its parameters does on
// any number of threads, one included: core/network.cpp.)
function run(nn, cfg, data, epochs, trainOn = data, plain = false) {
  const net = nn.createNetwork(cfg);
  const losses = net.fit({ ...trainOn, epochs, layerStats: plain }).map((epoch) => epoch.loss);
  losses.push(net.evaluate(data.x, data.y, data.n).loss);
  const weights = fingerprint(net.getWeights().flatMap((w) => Array.from(w.data)));
  const outputs = fingerprint(Array.from(net.predict(data.x, data.n)));
  net.delete();
  return { losses, weights, outputs };
}

test("loadNN_threads_gives_that_many_and_checks_its_argument", async () => {
  assert.equal((await loadNN({ threads: 1 })).threads, 1);
  assert.equal((await loadNN({ threads: 3 })).threads, 3);
  const all = await loadNN();
  assert.ok(all.threads >= 1 && all.threads <= 8, `default: ${all.threads}`);
  for (const bad of [0, 1.5, 17, "2"]) {
    await assert.rejects(loadNN({ threads: bad }), /threads: expected an integer in \[1, 16\]/);
  }
});

test("training_and_prediction_give_the_same_bits_for_1_2_and_3_threads", async () => {
  const data = digitsLike(192);
  const mlp = await config("mlp"), cnn = await config("cnn");
  const results = [];
  for (const threads of [1, 2, 3]) {
    const nn = await loadNN({ threads });
    results.push({ threads, mlp: run(nn, mlp, data, 3), cnn: run(nn, cnn, data, 1) });
  }
  for (const r of results.slice(1)) {
    assert.deepEqual(r.mlp, results[0].mlp, `MLP with ${r.threads} threads`);
    assert.deepEqual(r.cnn, results[0].cnn, `CNN with ${r.threads} threads`);
  }
  assert.deepEqual(run(await loadNN({ threads: 1 }), mlp, data, 3, data, true), results[0].mlp,
    "MLP by rows and whole");
  // Samples uploaded into the threaded module's shared memory (nn.upload): the same bits too,
  // and a network of another module refuses them.
  const two = await loadNN({ threads: 2 }), one = await loadNN({ threads: 1 });
  const uploaded = two.upload(data);
  assert.deepEqual(run(two, mlp, data, 3, { data: uploaded }), results[0].mlp, "MLP on uploaded data");
  const other = one.createNetwork(mlp);
  assert.throws(() => other.fit({ data: uploaded }), { message:
    "data: uploaded by another nn (another loadNN thread count): upload it with this network's" });
  other.delete();
  uploaded.delete();
});

test("batchnorm_training_and_prediction_give_the_same_bits_for_1_2_and_3_threads", async () => {
  // Batch statistics summed per channel in one order whatever the split: the digits CNN with
  // batch norm (8 and 16 channels over 28x28 and 14x14 positions), and a dense batch norm of
  // 256 units over batches of 512, both large enough for every thread to get channels.
  const data = digitsLike(1024), small = digitsLike(192);
  const cnn = modelConfig("cnnbn");
  const mlp = { input: [784], layers: [{ type: "dense", units: 256 }, { type: "batchnorm", activation: "relu" },
    { type: "dense", units: 10, activation: "softmax" }], loss: "cross_entropy",
  optimizer: { type: "adam", lr: 0.001 }, seed: 4, batchSize: 512 };
  const results = [];
  for (const threads of [1, 2, 3]) {
    const nn = await loadNN({ threads });
    results.push({ threads, mlp: run(nn, mlp, data, 2), cnn: run(nn, cnn, small, 1) });
  }
  for (const r of results.slice(1)) {
    assert.deepEqual(r.mlp, results[0].mlp, `dense batch norm with ${r.threads} threads`);
    assert.deepEqual(r.cnn, results[0].cnn, `CNN with batch norm, ${r.threads} threads`);
  }
});

test("new_activations_optimizers_and_schedules_give_the_same_bits_for_1_and_3_threads", async () => {
  // 600 units x 64 samples per layer: more values than one thread's share (kElementGrain), so
  // every activation's forward and backward is split too. On 3 threads these networks of dense
  // layers train in parts of 21, 21 and 22 samples (core/network.cpp), on 1 in one piece.
  const data = digitsLike(192);
  const wide = (activation) => ({ type: "dense", units: 600, activation });
  const cases = [
    [{ type: "adamw", lr: 0.001 }, { type: "cosine", decaySteps: 4 }],
    [{ type: "rmsprop", lr: 0.001 }, { type: "exponential", decaySteps: 2, decayRate: 0.5 }],
    [{ type: "adagrad", lr: 0.01 }, { type: "step", every: 2, factor: 0.5 }],
    [{ type: "sgd", lr: 0.05, momentum: 0.9, nesterov: true }, { type: "constant" }],
  ];
  const nets = cases.map(([optimizer, schedule], i) => ({
    input: [784], loss: "cross_entropy", init: "he", seed: 3, batchSize: 64, optimizer, schedule,
    layers: [...["leaky_relu", "elu", "gelu", "softplus", "swish"].slice(i).map(wide),
      { type: "dense", units: 10, activation: "softmax" }],
  }));
  // And a loss not fused with the output activation: its gradient goes through sigmoid's.
  nets.push({ input: [784], loss: "mse", init: "xavier", seed: 5, batchSize: 64,
    optimizer: { type: "sgd", lr: 0.5 }, layers: [wide("tanh"), { type: "dense", units: 10, activation: "sigmoid" }] });
  // Networks of dense layers on the digits that train by rows (core/network.cpp): the hidden
  // layers ([units, activation] each) and a softmax over 10, cross-entropy, batches of 64.
  const byRows = (seed, optimizer, hidden, more = {}) => ({
    input: [784], loss: "cross_entropy", init: "he", seed, batchSize: 64, optimizer, ...more,
    layers: [...hidden.map(([units, activation]) => ({ type: "dense", units, activation })),
      { type: "dense", units: 10, activation: "softmax" }],
  });
  // The MLP's shape, with Adam's moments and L2 in the copies the threads keep; batches of 95,
  // 95 and 2, the last too small for rows, so the copies go back mid-epoch and are made again.
  nets.push(byRows(6, { type: "adam", lr: 0.002 }, [[128, "relu"]],
    { batchSize: 95, regularization: { type: "l2", rate: 0.001 } }));
  // A layer between the rows and the output (its gradients on the calling thread), SGD with
  // momentum, and batches of 64, 64 and 64: each step runs the next one's first forward. On 3
  // threads its 100 units go in parts of 32, 32 and 36.
  nets.push(byRows(7, { type: "sgd", lr: 0.05, momentum: 0.9 }, [[100, "elu"], [12, "tanh"]],
    { regularization: { type: "l1", rate: 0.0005 } }));
  // 80 units, on 3 threads in parts of 24, 24 and 32: the first two read the batch where it is in
  // both their products, the third packs it once, for its forward product and (from that
  // packing, a step later) its kernel gradient.
  nets.push(byRows(8, { type: "sgd", lr: 0.1 }, [[80, "relu"]]));
  // A ReLU layer of 40 units after the rows: over one thread's whole batch its product packs its
  // input, skips the zero steps and adds the ReLU in its last store; by rows it goes on from the
  // first units' sums without either.
  nets.push(byRows(10, { type: "sgd", lr: 0.05 }, [[100, "relu"], [40, "relu"]]));
  // 300 units: more than layer 1 sums in one block (core/gemm.h's kKc), so the rest of the
  // network gathers every part's outputs instead of going on from the first part's sums.
  nets.push(byRows(9, { type: "sgd", lr: 0.1 }, [[300, "relu"]]));
  const results = [];
  for (const [threads, plain] of [[1, true], [1, false], [3, false]]) {
    const nn = await loadNN({ threads });
    results.push(nets.map((cfg) => run(nn, cfg, data, 2, data, plain)));
  }
  assert.deepEqual(results[1], results[0], "1 thread by rows");
  assert.deepEqual(results[2], results[0], "3 threads by rows");
});

// Training by rows keeps the first layer in the threads' copies from one epoch to the next
// (core/network.cpp): every call between epochs that reads or writes the parameters sees them
// as they are, and what it writes is what the next epoch trains on, as when every epoch trains
// its batches whole (fit's layerStats), on 1 thread and on 2.
test("calls_between_epochs_by_rows_read_and_write_the_parameters_as_when_trained_whole", async () => {
  const data = digitsLike(256), mlp = await config("mlp");
  const results = [];
  for (const [threads, layerStats] of [[1, true], [1, false], [2, false]]) {
    const nn = await loadNN({ threads });
    const net = nn.createNetwork(mlp);
    const seen = [];
    const outputs = () => fingerprint(Array.from(net.predict(data.x, data.n)));
    const fit = (epochs) => net.fit({ ...data, epochs, layerStats });
    fit(2);
    seen.push(outputs(), net.evaluate(data.x, data.y, data.n).loss);
    const weights = net.getWeights();
    seen.push(fingerprint(weights.flatMap((w) => Array.from(w.data))));
    fit(1);
    // Back to the weights after 2 epochs, the first kernel halved: the next epoch starts there.
    const kernel = weights[0].data;
    for (let i = 0; i < kernel.length; i++) kernel[i] *= 0.5;
    net.setWeights(weights);
    fit(1);
    seen.push(fingerprint(net.inspect(data.x.subarray(0, 784 * 4), data.y.subarray(0, 40), 4).layers[0].dW));
    net.trainBatch(data.x.subarray(0, 784 * 64), data.y.subarray(0, 640), 64);
    fit(1);
    seen.push(outputs(), fingerprint(net.getWeights().flatMap((w) => Array.from(w.data))));
    net.delete();
    results.push(seen);
  }
  assert.deepEqual(results[1], results[0], "1 thread by rows");
  assert.deepEqual(results[2], results[0], "2 threads by rows");
});

// nn.profileJobs / nn.jobProfile: the MLP trains by rows on 2 threads, one job a step (README),
// so its step's place has a call per step, each shared; on 1 thread every call runs whole on the
// caller's thread. The times add up within the fit's own. The step times its parts' phases: one
// part a thread, the rest of the network once a step, within the step's work.
test("job_profile_counts_a_job_a_step_by_rows_and_times_within_the_fit", async () => {
  const data = digitsLike(256);
  const mlp = await config("mlp");  // batches of 64: 4 steps an epoch
  for (const threads of [1, 2]) {
    const nn = await loadNN({ threads });
    const net = nn.createNetwork(mlp);
    nn.profileJobs(true);
    const start = performance.now();
    net.fit({ ...data, epochs: 2 });
    const elapsed = (performance.now() - start) / 1000;
    nn.profileJobs(false);
    const profile = nn.jobProfile();
    net.fit({ ...data, epochs: 1 });  // not timed
    assert.deepEqual(nn.jobProfile(), profile, `${threads} threads: nothing added while off`);
    assert.ok(profile.length > 0, `${threads} threads`);
    for (const s of profile) {
      const what = `${threads} threads, ${s.site} ${s.phase}`;
      assert.match(s.site, /^[a-z0-9_]+\.(h|cpp):\d+$/, what);
      if (s.phase) {
        assert.match(s.phase, /^part \d+: [a-z' ,:]+$/, what);
        assert.deepEqual([s.sharedCalls, s.callerSeconds, s.waitSeconds], [0, 0, 0], what);
        assert.ok(s.calls > 0 && s.seconds >= 0 && s.workSeconds === s.seconds, what);
        continue;
      }
      assert.ok(s.sharedCalls <= s.calls && s.callerSeconds <= s.seconds, what);
      assert.ok(s.waitSeconds >= 0 && s.waitSeconds <= s.seconds - s.callerSeconds + 1e-9, what);
      if (threads === 1) {
        assert.equal(s.sharedCalls, 0, what);
        assert.equal(s.workSeconds, s.seconds, what);
        assert.equal(s.waitSeconds, 0, what);
      }
    }
    const jobs = profile.filter((s) => !s.phase), phases = profile.filter((s) => s.phase);
    const total = jobs.reduce((sum, s) => sum + s.seconds, 0);
    assert.ok(total > 0 && total <= elapsed, `${threads} threads: ${total} s of jobs in a fit of ${elapsed} s`);
    // Both: a job a step, the whole step by rows (on 1 thread, run whole on its thread).
    const steps = jobs.filter((s) => s.calls === 8 && s.site.startsWith("network.cpp:"));
    assert.equal(steps.length, 1, `${threads} threads: ${JSON.stringify(jobs.map((s) => [s.site, s.calls]))}`);
    if (threads === 2) assert.equal(steps[0].sharedCalls, 8);
    const named = JSON.stringify(phases.map((s) => [s.site, s.phase, s.calls]));
    assert.ok(phases.every((s) => s.site === steps[0].site), `${threads} threads: ${named}`);
    const parts = [...new Set(phases.map((s) => s.phase.split(":")[0]))].sort();
    assert.deepEqual(parts, threads === 1 ? ["part 0"] : ["part 0", "part 1"], named);
    const callsOf = (name) => phases.filter((s) => s.phase.endsWith(`: ${name}`))
      .reduce((sum, s) => sum + s.calls, 0);
    assert.equal(callsOf("rest of the network"), 8, named);
    assert.equal(callsOf("kernel gradient"), 8 * threads, named);
    // (On 2 threads, by the thread that did not run the rest, if it came while it ran.)
    assert.ok(callsOf("packing the next batch ahead") <= (threads === 2 ? 8 : 0), named);
    const phaseSeconds = phases.reduce((sum, s) => sum + s.seconds, 0);
    assert.ok(phaseSeconds > 0 && phaseSeconds <= steps[0].workSeconds + 1e-9,
      `${threads} threads: ${phaseSeconds} s of phases in ${steps[0].workSeconds} s of the steps' work`);
    nn.profileJobs(true);
    assert.deepEqual(nn.jobProfile(), [], "on again: from zero");
    nn.profileJobs(false);
    assert.throws(() => nn.profileJobs(1), /on: expected true or false, got 1/);
    net.delete();
  }
});
