// The playground's URL state (web/lib/plane/state.js) and its contract mapping (model.js):
// round trips, and every field refused with a message naming it when bad.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadNN } from "../../web/lib/nnplay.js";
import { PlaygroundRules, defaultState, parameterCount, toConfig } from "../../web/lib/plane/state.js";
import * as model from "../../web/playground/model.js";

// The rules are made from what the core says, as the page makes them from its worker's answer.
const nn = await loadNN();
const rules = new PlaygroundRules({ schema: nn.schema, datasets: nn.datasets.names() });
const FIELDS = rules.fields;
const decodeState = (hash) => rules.decode(hash);
const encodeState = (state) => rules.encode(state);
const validateState = (state) => rules.validate(state);
const adaptToTask = (...args) => model.adaptToTask(rules, ...args);
const fitToTable = (...args) => model.fitToTable(rules, ...args);
const mergeContract = (...args) => model.mergeContract(rules, ...args);
const toContract = model.toContract;

const edited = () => ({
  ...defaultState(),
  dataset: "moons", points: 300, noise: 0.25, trainRatio: 0.7, dataSeed: 4294967295,
  features: ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"],
  hidden: [{ units: 64, activation: "relu" }, { units: 1, activation: "sigmoid" }, { units: 3, activation: "linear" }],
  output: "tanh", loss: "mse", optimizer: "momentum", lr: 0.003, momentum: 0.5, batchSize: 1,
  regularization: "l1", regRate: 0.001, init: "he", seed: 0, showTest: true,
  added: [[-6, 6, 1], [0.25, -1.5, 0]],
});

test("default_state_round_trips_and_has_every_field", () => {
  const hash = encodeState(defaultState());
  assert.match(hash, /^v=1&data=circle&n=500&/);
  for (const field of FIELDS.filter((f) => !f.optional)) assert.match(hash, new RegExp(`&${field.key}=`));
  assert.deepEqual(decodeState(`#${hash}`), { state: defaultState(), error: null });
});

test("edited_state_round_trips_exactly", () => {
  const state = edited();
  assert.deepEqual(decodeState(`#${encodeState(state)}`), { state, error: null });
});

test("new_optimizers_and_schedules_round_trip_and_make_their_config", () => {
  const state = { ...defaultState(), hidden: [{ units: 5, activation: "leaky_relu" }, { units: 3, activation: "gelu" }],
    optimizer: "rmsprop", rho: 0.8, lr: 0.01, schedule: { type: "step", every: 50, factor: 0.5 } };
  const hash = encodeState(state);
  assert.match(hash, /&h=5:leaky_relu,3:gelu&/);
  assert.match(hash, /&opt=rmsprop&lr=0.01&mom=0.9&rho=0.8&sch=step,every:50,factor:0.5&bs=10&/);
  assert.doesNotMatch(encodeState(defaultState()), /rho=|wd=|sch=/, "old links stay as they were");
  assert.deepEqual(decodeState(hash), { state, error: null });
  const config = toConfig(state);
  assert.deepEqual(config.optimizer, { type: "rmsprop", lr: 0.01, rho: 0.8 });
  assert.deepEqual(config.schedule, { type: "step", every: 50, factor: 0.5 });
  assert.deepEqual(config.layers[0], { type: "dense", units: 5, activation: "leaky_relu" });
  // Missing schedule fields take the core's defaults; the link then names them all.
  const { state: cosine, error } = decodeState("#v=1&opt=adamw&wd=0.01&sch=cosine");
  assert.equal(error, null);
  assert.deepEqual(cosine.schedule, { type: "cosine", decaySteps: 1000, alpha: 0 });
  assert.deepEqual(toConfig(cosine).optimizer, { type: "adamw", lr: 0.03, weightDecay: 0.01 });
  assert.match(encodeState(cosine), /&sch=cosine,alpha:0,decaySteps:1000&/);
  const nesterov = toConfig(decodeState("#v=1&opt=nesterov&mom=0.5").state);
  assert.deepEqual(nesterov.optimizer, { type: "sgd", lr: 0.03, momentum: 0.5, nesterov: true });
  assert.match(decodeState("#v=1&sch=exponential,decayRate:2").error,
    /learning-rate schedule \(sch\): decayRate expected a number in \[0.000001, 1\], got 2/);
  // setState's config view of a state comes back to the same state.
  assert.deepEqual(mergeContract(defaultState(), toContract(state)), state);
  assert.deepEqual(mergeContract(defaultState(), toContract({ ...defaultState(), optimizer: "nesterov" })),
    { ...defaultState(), optimizer: "nesterov" });
  assert.throws(() => mergeContract(defaultState(), { config: { layers: [
    { type: "dense", units: 2, activation: "leaky_relu", alpha: 0.1 }, { type: "dense", units: 1, activation: "sigmoid" }] } }),
  /config\.layers\[0\]\.alpha: the playground's leaky_relu has the slope 0.2, got 0.1/);
});

test("weights_round_trip_bit_exactly_in_base64url", () => {
  const state = { ...defaultState(), features: ["x1"], hidden: [] };  // 1 -> 1: 2 parameters
  state.weights = Float32Array.of(-0.1234567, 3.4028234663852886e38);
  const hash = encodeState(state);
  assert.match(hash, /&w=[A-Za-z0-9_-]+$/);
  const { state: decoded, error } = decodeState(hash);
  assert.equal(error, null);
  assert.deepEqual(Array.from(decoded.weights), Array.from(state.weights));
});

test("empty_hash_gives_defaults_and_missing_fields_take_defaults", () => {
  assert.deepEqual(decodeState(""), { state: defaultState(), error: null });
  assert.deepEqual(decodeState("#"), { state: defaultState(), error: null });
  const { state, error } = decodeState("#v=1&data=spiral&h=");
  assert.equal(error, null);
  assert.deepEqual(state, { ...defaultState(), dataset: "spiral", hidden: [] });
});

// At least one bad value for every field of the table; each must be refused by name.
const BAD = {
  data: ["iris", ""],
  n: ["5", "2001", "abc", "1e400", "50.5"],
  noise: ["-0.1", "1.5", "NaN"],
  train: ["0", "0.95"],
  dseed: ["-1", "4294967296", "1.5"],
  f: ["", "x3", "x1,x1"],
  h: ["65:tanh", "0:tanh", "4:softmax", "4tanh", Array(9).fill("2:tanh").join(",")],
  out: ["identity", "softmax"],
  loss: ["huber", "cross_entropy"],
  opt: ["gradient-ascent"],
  lr: ["-1", "101", "abc", "0x10"],  // the core's range: [0, 100]
  mom: ["1", "-0.5"],
  rho: ["1", "-0.1", "x"],
  wd: ["2", "-1"],
  sch: ["linear", "step,every:0", "step,every", "cosine,decayRate:0.5", "exponential,staircase:yes"],
  bs: ["0", "2.5", "65537"],
  reg: ["l3"],
  rr: ["-1", "11"],
  init: ["zeros"],
  seed: ["-1", "1.5", "seed"],
  test: ["yes", "2"],
  pts: ["1,2", "7,0,1", "1,1,2", "a,b,c"],
  w: ["!!!", "AAAAA", "AAAA"],  // bad characters, a partial value, 1 weight for a 25-weight network
  // Table fields: not for generated data (the default, circle); bad text; a row of them.
  file: ["iris.csv", "a\u0007b", "x".repeat(201)],
  label: ["species", "tab\there"],
  px: ["a"],
  py: ["b"],
  std: ["yes"],
  ep: ["-1", "1.5", "100001", "ten"],
  goal: ["fast", "acc:", "acc:0", "acc:101", "loss:-1", "loss:abc", "acc:95x", "loss"],
  maxn: ["-1", "2.5", "513", "many"],
  nocross: ["yes", "2"],
  lock: ["everything", "data,data", "lr;seed"],
};

test("every_field_is_validated_on_decode", () => {
  assert.deepEqual(Object.keys(BAD).sort(), FIELDS.map((f) => f.key).sort(), "a bad value for every field");
  for (const field of FIELDS) {
    for (const value of BAD[field.key]) {
      const hash = `#v=1&${field.key}=${encodeURIComponent(value)}`;
      const { state, error } = decodeState(hash);
      assert.ok(error, `${hash} was accepted`);
      assert.ok(error.includes(`(${field.key})`), `${hash}: message does not name the field: ${error}`);
      assert.deepEqual(state, defaultState(), `${hash}: not the defaults`);
    }
  }
});

test("table_links_round_trip_and_presets_fill_in_their_settings", () => {
  const csv = { ...defaultState(), dataset: "csv", file: "my data, 2024.csv", label: "kind & type",
    plotX: "größe", plotY: "b=c", standardize: false, output: "softmax", loss: "cross_entropy" };
  const hash = encodeState(csv);
  assert.match(hash, /^v=1&data=csv&file=my%20data,%202024.csv&label=kind%20%26%20type&px=gr%C3%B6%C3%9Fe&py=b%3Dc&std=0&/);
  assert.deepEqual(decodeState(`#${hash}`), { state: csv, error: null });
  assert.doesNotMatch(encodeState(defaultState()), /file=|label=|px=|py=|std=/, "left out when default");
  // A preset's link takes the preset's network for the fields it leaves out.
  const { state, error } = decodeState("#v=1&data=breast-cancer&lr=0.1");
  assert.equal(error, null);
  assert.deepEqual(state, { ...defaultState("breast-cancer"), lr: 0.1 });
  assert.deepEqual(state.hidden, [{ units: 15, activation: "relu" }]);
  // A table's network size is known from its file only: weights of any count pass here.
  assert.equal(decodeState("#v=1&data=breast-cancer&w=AAAAAA").error, null);
});

test("table_fields_and_softmax_are_refused_where_they_do_not_belong", () => {
  const cases = {
    "#v=1&data=breast-cancer&file=x.csv": /CSV file \(file\): only for CSV data, not breast-cancer/,
    "#v=1&data=csv&px=a&py=a": /vertical plot column \(py\): choose a column other than the horizontal one/,
    "#v=1&data=breast-cancer&out=softmax&loss=cross_entropy": /output activation \(out\): softmax is for CSV data/,
    "#v=1&data=csv&out=softmax": /loss \(loss\): cross_entropy goes with a softmax output/,
    "#v=1&data=csv&out=linear&loss=cross_entropy": /loss \(loss\): cross_entropy goes with a softmax output/,
    "#v=1&data=breast-cancer&pts=1,1,1": /added points \(pts\): points can be added to generated data only/,
  };
  for (const [hash, pattern] of Object.entries(cases)) assert.match(decodeState(hash).error ?? "", pattern, hash);
});

test("fit_to_table_picks_columns_and_the_output_for_the_task", () => {
  const base = { ...defaultState(), dataset: "csv", file: "f.csv" };
  const table = (kind, features = ["a", "b", "c"]) => ({ kind, features, label: "y", inputs: features.length,
    outputs: kind === "multiclass" ? 3 : 1 });
  const multi = fitToTable(base, table("multiclass"));
  assert.deepEqual([multi.label, multi.plotX, multi.plotY, multi.output, multi.loss], ["y", "a", "b", "softmax", "cross_entropy"]);
  assert.deepEqual(toConfig(multi, table("multiclass")).layers.at(-1), { type: "dense", units: 3, activation: "softmax" });
  const regression = fitToTable(multi, table("regression"));
  assert.deepEqual([regression.output, regression.loss], ["linear", "mse"]);
  const binary = fitToTable({ ...multi, plotX: "c", plotY: "c" }, table("binary"));
  assert.deepEqual([binary.plotX, binary.plotY, binary.output, binary.loss], ["c", "a", "sigmoid", "bce"]);
  // A chosen loss that fits stays; one column plots alone.
  const tanh = fitToTable({ ...base, output: "tanh", loss: "mse" }, table("binary", ["only"]));
  assert.deepEqual([tanh.plotX, tanh.plotY, tanh.output, tanh.loss], ["only", "", "tanh", "mse"]);
});

test("choosing_a_preset_brings_its_network_and_leaving_a_table_clears_its_fields", () => {
  const base = defaultState();
  const preset = adaptToTask(base, { ...base, dataset: "breast-cancer", trainRatio: 0.6 });
  assert.deepEqual(preset, { ...defaultState("breast-cancer"), trainRatio: 0.6 }, "what the edit set stays");
  const csv = { ...base, dataset: "csv", file: "f.csv", label: "y", plotX: "a", plotY: "b",
    output: "softmax", loss: "cross_entropy" };
  const back = adaptToTask(csv, { ...csv, dataset: "spiral" });
  assert.deepEqual([back.file, back.label, back.plotX, back.plotY, back.output, back.loss], ["", "", "", "", "sigmoid", "bce"]);
  validateState(back);
  const contract = toContract(csv, { inputs: 3, outputs: 3 });
  assert.deepEqual(contract.data, { name: "csv", n: 500, noise: 0, trainRatio: 0.5, seed: 1, label: "y",
    plot: ["a", "b"], standardize: true, file: "f.csv" });
  assert.deepEqual(mergeContract(csv, contract, { inputs: 3, outputs: 3 }), csv);
  assert.throws(() => mergeContract(csv, { config: { input: [4] } }, { name: "f.csv", inputs: 3, outputs: 3 }),
    /config.input: f.csv has 3 input columns, got \[4\]/);
});

test("foreign_versioned_repeated_unknown_and_inconsistent_hashes_are_refused", () => {
  const cases = {
    "#section-2": /not an nnplay link/,
    "#access_token=abc&v=": /another version/,
    "#v=2&data=circle": /another version.*v=2/,
    "#v=1&data=xor&data=circle": /"data" appears twice/,
    "#v=1&color=red": /unknown setting "color"/,
    "#v=1&n=%E0%A4%A": /percent-encoding/,
    "#v=1&out=tanh": /bce needs a sigmoid output/,
    "#v=1&data=reg-plane&out=sigmoid": /regression set/,
    "#v=1&pts=1,1,0.5": /labels of circle are 0 or 1/,
    [`#v=1&${"x".repeat(70000)}`]: /too long/,
  };
  for (const [hash, pattern] of Object.entries(cases)) {
    const { state, error } = decodeState(hash);
    assert.match(error ?? "", pattern, hash);
    assert.match(error, /Showing the default playground instead/);
    assert.deepEqual(state, defaultState());
  }
});

test("validate_state_refuses_wrong_types_from_code", () => {
  assert.throws(() => validateState({ ...defaultState(), lr: "0.1" }), /learning rate \(lr\): expected a number/);
  assert.throws(() => validateState({ ...defaultState(), hidden: [{ units: 4 }] }), /hidden layers \(h\).*activation/);
  assert.throws(() => validateState({ ...defaultState(), showTest: 1 }), /show test data \(test\)/);
  assert.throws(() => validateState({ ...defaultState(), weights: [1, 2] }), /this network has 25 parameters, got 2/);
  assert.equal(parameterCount(defaultState()), 2 * 4 + 4 + 4 * 2 + 2 + 2 * 1 + 1);
});

test("contract_state_maps_to_the_network_config_and_back", () => {
  const state = edited();
  const config = toConfig(state);
  assert.deepEqual(config.input, [7]);
  assert.deepEqual(config.layers.at(-1), { type: "dense", units: 1, activation: "tanh" });
  assert.deepEqual(config.optimizer, { type: "sgd", lr: 0.003, momentum: 0.5 });
  assert.deepEqual(toContract(state).data, { name: "moons", n: 300, noise: 0.25, trainRatio: 0.7, seed: 4294967295 });
  // setState with the contract view of a state rebuilds that state (without clicked points).
  assert.deepEqual(mergeContract(defaultState(), toContract(state)), { ...state, added: [] });
});

test("batch_norm_layers_round_trip_through_the_url_the_config_and_the_contract", () => {
  const state = { ...defaultState(), hidden: [{ units: 5, activation: "relu", batchnorm: true }, { units: 3, activation: "tanh" }] };
  const hash = rules.encode(state);
  assert.match(hash, /&h=5:relu:bn,3:tanh&/);
  assert.deepEqual(rules.decode(`#${hash}`), { state, error: null });
  assert.deepEqual(toConfig(state).layers, [{ type: "dense", units: 5, activation: "linear" },
    { type: "batchnorm", activation: "relu" }, { type: "dense", units: 3, activation: "tanh" },
    { type: "dense", units: 1, activation: "sigmoid" }]);
  // kernels and biases 2·5 + 5, 5·3 + 3, 3 + 1, and gamma, beta, moving mean and variance of 5 units
  assert.equal(parameterCount(state), 15 + 18 + 4 + 4 * 5);
  const net = nn.createNetwork(toConfig(state));
  assert.equal(net.getWeights().reduce((sum, w) => sum + w.data.length, 0), parameterCount(state));
  // A saved model's config, every field spelled out, opens as the same playground.
  assert.deepEqual(mergeContract(defaultState(), { config: net.toJSON().config }).hidden, state.hidden);
  net.delete();
  assert.deepEqual(mergeContract(defaultState(), model.toContract(state)), state);
  assert.match(rules.decode("#v=1&h=4:tanh:bm").error, /hidden layers \(h\): expected layers like 8:tanh,4:relu:bn, got "4:tanh:bm"/);
  assert.throws(() => rules.validate({ ...state, hidden: [{ units: 2, activation: "tanh", batchnorm: 1 }] }),
    /hidden layers \(h\): expected layer 1 batchnorm: true or false, got 1/);
  assert.throws(() => mergeContract(defaultState(), { config: { layers: [{ type: "batchnorm" }, { type: "dense", units: 1, activation: "sigmoid" }] } }),
    /config.layers\[0\]: the playground's batch norm follows a linear dense layer/);
});

test("merge_contract_adapts_the_task_and_names_bad_fields", () => {
  const regression = mergeContract(defaultState(), { data: { name: "reg-gauss" } });
  assert.equal(regression.output, "linear");
  assert.equal(regression.loss, "mse");
  const crossed = mergeContract(defaultState(), { config: { input: [4] } });
  assert.deepEqual(crossed.features, ["x1", "x2", "x1sq", "x2sq"]);
  assert.throws(() => mergeContract(defaultState(), { config: { layers: [{ type: "dense", units: 2, activation: "sigmoid" }] } }),
    /config.layers\[0\].units: the output has 1 unit/);
  assert.throws(() => mergeContract(defaultState(), { data: { size: 3 } }), /data.size: unknown field/);
  assert.throws(() => mergeContract(defaultState(), { config: { input: [3] }, features: ["x1"] }), /does not match/);
  assert.throws(() => mergeContract(defaultState(), { config: { optimizer: { type: "sgd", lr: -1 } } }),
    /learning rate \(lr\)/);
});

test("adapt_to_task_keeps_output_and_loss_compatible", () => {
  const base = defaultState();  // sigmoid + bce
  assert.deepEqual(adaptToTask(base, { ...base, output: "tanh" }), { ...base, output: "tanh", loss: "mse" });
  const mse = { ...base, output: "linear", loss: "mse" };
  assert.deepEqual(adaptToTask(mse, { ...mse, loss: "bce" }), { ...mse, output: "sigmoid", loss: "bce" });
  const clicked = { ...base, added: [[1, 1, 1]] };
  assert.deepEqual(adaptToTask(clicked, { ...clicked, dataset: "xor" }).added, []);
  assert.deepEqual(adaptToTask(clicked, { ...clicked, noise: 0.1 }).added, [[1, 1, 1]]);
});
