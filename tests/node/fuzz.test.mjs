// Deterministic fuzzing of the JS API and the URL decoders with thousands of mutated configs,
// model files, TF.js artifacts, CSV texts and URL hashes. Each input must work or give an Error
// with a message (decoders: an error sentence and the defaults) — never a non-Error throw, a
// dead module, or leaked WASM memory.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { PlaygroundRules, defaultState } from "../../web/lib/plane/state.js";
import { makeRandom } from "../../web/lib/random.js";
import { parseHash } from "../../web/digits/state.js";

const nn = await loadNN();
const rules = new PlaygroundRules({ schema: nn.schema, datasets: nn.datasets.names() });

// A seeded generator, so every run tries the same inputs.
const random = makeRandom;

const hostile = [-1, 0, 1, 2, 1e9, -1e9, 1e300, 0.5, 4294967296, -0, NaN, Infinity, "", "x",
  "softmax", "conv2d", "<img src=x onerror=alert(1)>", "javascript:alert(1)", null, true, [], {},
  [1, 2, 3], [28, 28, 1], [1000000], "__proto__", { toString: 1 }];

function nodes(value, list = []) {
  list.push(value);
  if (value && typeof value === "object") for (const child of Object.values(value)) nodes(child, list);
  return list;
}

// Mutates a JSON-like value in place (the root is wrapped so it can be replaced too).
function mutate(root, rand) {
  const holders = nodes(root).filter((v) => v && typeof v === "object");
  const holder = holders[Math.floor(rand() * holders.length)];
  const keys = Object.keys(holder);
  const key = keys.length ? keys[Math.floor(rand() * keys.length)] : "extra";
  const pick = rand();
  if (pick < 0.45) holder[key] = structuredClone(hostile[Math.floor(rand() * hostile.length)]);
  else if (pick < 0.6) delete holder[key];
  else if (pick < 0.7) holder[`extra${Math.floor(rand() * 3)}`] = 1;
  else if (pick < 0.8 && Array.isArray(holder[key])) holder[key].push(structuredClone(holder[key][0]));
  else if (typeof holder[key] === "number") holder[key] *= [-1, 0, 10, 1e6, 0.5][Math.floor(rand() * 5)];
  else if (typeof holder[key] === "string") holder[key] = rand() < 0.5 ? holder[key].slice(0, holder[key].length >> 1) : `${holder[key]}A=`;
}

function mutateText(text, rand, alphabet) {
  for (let m = 0, count = 1 + Math.floor(rand() * 4); m < count; m++) {
    const at = Math.floor(rand() * (text.length + 1));
    const r = rand();
    if (r < 0.4) text = text.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + text.slice(at);
    else if (r < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 8));
    else text = text.slice(0, at);
  }
  return text;
}

// Runs fn; a thrown value must be an Error with a message. Returns true if it threw.
function refusedCleanly(fn, what) {
  try {
    fn();
    return false;
  } catch (error) {
    assert.ok(error instanceof Error, `${what}: threw ${typeof error} ${String(error).slice(0, 80)}`);
    assert.ok(error.message.length > 5, `${what}: empty message`);
    assert.ok(!/^\d+$/.test(error.message), `${what}: bare number ${error.message}`);
    assert.ok(!(error instanceof TypeError || error instanceof RangeError),
      `${what}: an unchecked ${error.name}: ${error.message}\n${error.stack}`);
    return true;
  }
}

const seedConfigs = [
  { input: [2], layers: [{ type: "dense", units: 4, activation: "tanh" }, { type: "dense", units: 1, activation: "sigmoid" }],
    loss: "bce", optimizer: { type: "sgd", lr: 0.03, momentum: 0.9 }, regularization: { type: "l2", rate: 0.001 }, init: "xavier", seed: 1, batchSize: 10 },
  { input: [3], layers: [{ type: "dense", units: 5, activation: "relu" }, { type: "dropout", rate: 0.5 }, { type: "dense", units: 3, activation: "softmax" }],
    loss: "cross_entropy", optimizer: { type: "adam", lr: 0.001 }, seed: 2 },
  { input: [6, 6, 1], layers: [{ type: "conv2d", filters: 2, kernel: 3, padding: "same", activation: "relu" }, { type: "maxpool2d", size: 2 },
    { type: "flatten" }, { type: "dense", units: 2, activation: "softmax" }], loss: "cross_entropy", init: "he", seed: 3, batchSize: 4 },
];

function exercise(net, rand) {
  const n = 1 + Math.floor(rand() * 3);
  const x = new Float32Array(n * net.inputs).map(() => rand() * 2 - 1);
  const y = new Float32Array(n * net.outputs);
  net.trainBatch(x, y, n);
  net.predict(x, n);
}

test("fuzz_configs_models_and_artifacts_through_the_api", () => {
  const rand = random(20261125);
  const start = nn.memory().inUseBytes;
  let tried = 0, refused = 0;
  const source = nn.createNetwork(seedConfigs[1]);
  const model = source.toJSON();
  const artifacts = source.toTFJS();
  source.delete();
  for (let i = 0; i < 6000; i++, tried++) {
    const kind = i % 3;
    const input = { root: structuredClone(kind === 0 ? seedConfigs[i % seedConfigs.length]
      : kind === 1 ? model : { ...artifacts, weightData: undefined }) };
    for (let m = 0, count = 1 + Math.floor(rand() * 3); m < count; m++) mutate(input, rand);
    let net = null;
    const threw = refusedCleanly(() => {
      if (kind === 0) net = nn.createNetwork(input.root);
      else if (kind === 1) net = nn.fromJSON(input.root);
      else net = nn.fromTFJS({ ...input.root, weightData: artifacts.weightData.slice(0) });
    }, String(JSON.stringify(input.root)).slice(0, 300));
    refused += threw;
    if (net) {
      refusedCleanly(() => exercise(net, rand), "exercise");
      net.delete();
    }
  }
  assert.ok(refused > tried / 3, `${refused} of ${tried} refused`);
  assert.ok(refused < tried, "some mutations stay valid");
  const grown = nn.memory().inUseBytes - start;
  assert.ok(grown < 64 * 1024, `WASM memory in use grew by ${grown} bytes`);
});

test("fuzz_csv_texts_and_config_texts", () => {
  const rand = random(7);
  const csv = "a,b,label\n1,2,x\n3,4,y\n\"5\",6,x\n";
  const json = JSON.stringify(seedConfigs[0]);
  for (let i = 0; i < 3000; i++) {
    if (i % 2) {
      const text = mutateText(csv, rand, ['"', ",", "\n", "\r", "0", "-", "e", "\u0000", "\uffff", " ", "é"]);
      refusedCleanly(() => nn.datasets.parseCSV(text), text);
    } else {
      const text = mutateText(json, rand, ["{", "}", "[", "]", '"', ",", ":", "0", "-", "e", "\u0000"]);
      let config;
      try { config = JSON.parse(text); } catch { continue; }
      let net = null;
      refusedCleanly(() => { net = nn.createNetwork(config); }, text);
      net?.delete();
    }
  }
  assert.equal(nn.createNetwork(seedConfigs[0]).outputs, 1, "the module still works");
});

test("fuzz_url_hashes_never_throw_and_fall_back_to_defaults", () => {
  const rand = random(99);
  const good = rules.encode(defaultState());
  const digitsGood = "v=1&model=mlp&epochs=1";
  const alphabet = ["&", "=", "%", "%zz", "#", ",", ";", ":", "<img onerror=alert(1)>", "javascript:", "\u0000", "v=2", "1e999", "-"];
  let errors = 0;
  for (let i = 0; i < 4000; i++) {
    const hash = `#${mutateText(i % 2 ? good : digitsGood, rand, alphabet)}`;
    const decoded = i % 2 ? rules.decode(hash) : parseHash(hash);
    assert.ok(decoded && typeof decoded === "object", hash);
    if (decoded.error !== null) {
      assert.equal(typeof decoded.error, "string", hash);
      errors++;
    }
    if (i % 2 && decoded.error === null) {
      assert.equal(rules.decode(`#${rules.encode(decoded.state)}`).error, null, `re-encoding ${hash}`);
    }
  }
  assert.ok(errors > 1000, `${errors} hashes refused`);
});

test("memory_stays_flat_over_2000_create_train_delete_cycles", () => {
  const d = nn.datasets.make("spiral", { n: 100, noise: 0.1, seed: 1 });
  const cycle = (i) => {
    const net = nn.createNetwork({ ...seedConfigs[0], seed: i });
    net.fit({ x: d.x, y: d.y, n: d.n, epochs: 1 });
    net.predict(d.x, d.n);
    net.toJSON();
    net.delete();
  };
  for (let i = 0; i < 20; i++) cycle(i);  // warm up allocator pools
  const before = nn.memory();
  for (let i = 0; i < 2000; i++) cycle(i);
  const after = nn.memory();
  const grown = after.inUseBytes - before.inUseBytes;
  console.log(`2000 cycles: in use ${before.inUseBytes} -> ${after.inUseBytes} bytes, ` +
    `heap ${before.heapBytes} -> ${after.heapBytes} bytes`);
  assert.ok(grown <= 0, `in-use memory grew by ${grown} bytes`);
  assert.equal(after.heapBytes, before.heapBytes, "the WASM heap did not grow");
});
