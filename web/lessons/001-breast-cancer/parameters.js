// Lesson 001's network's parameters by name, for the menus that pick two single weights as the
// landscape's slice: every parameter of the two dense layers, the output layer first. No DOM.

/**
 * template: getWeights() of the trained network; columns: the input columns' names. Returns
 * { groups: [{ label, items: [[flat index, name], ...] }], names: name by flat index, count,
 * largest: the flat indices of the two output weights largest in size (the menus' first choice) }.
 */
export function parameterMenus(template, columns) {
  const offsets = {};
  let count = 0;
  for (const { name, data } of template) {
    offsets[name] = count;
    count += data.length;
  }
  const unit = (j) => `hidden unit ${j + 1}`;
  const range = (n, f) => Array.from({ length: n }, (_, j) => f(j));
  const [inputs, units] = template.find((w) => w.name === "dense_0/kernel").shape;
  const groups = [
    { label: "output layer", items: [...range(units, (j) => [offsets["dense_1/kernel"] + j, `output ← ${unit(j)}`]),
      [offsets["dense_1/bias"], "output: bias"]] },
    { label: "hidden biases", items: range(units, (j) => [offsets["dense_0/bias"] + j, `${unit(j)}: bias`]) },
    // kernel [in, out]: the weight from input i to unit j is at i * units + j
    ...range(units, (j) => ({ label: `${unit(j)}: weights from`,
      items: range(inputs, (i) => [offsets["dense_0/kernel"] + i * units + j, `${unit(j)} ← ${columns[i]}`]) })),
  ];
  const names = [];
  for (const { items } of groups) for (const [k, text] of items) names[k] = text;
  const output = template.find((w) => w.name === "dense_1/kernel").data;
  const [first, second] = range(units, (j) => j).sort((p, q) => Math.abs(output[q]) - Math.abs(output[p]));
  return { groups, names, count, largest: [offsets["dense_1/kernel"] + first, offsets["dense_1/kernel"] + second] };
}
