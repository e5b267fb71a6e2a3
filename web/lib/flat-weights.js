// A network's parameters as one flat Float32Array in getWeights() order (kernel, then bias, per
// layer): what a share link carries, what the loss landscape moves along. No DOM.

/** A getWeights()-style list as one Float32Array. */
export function flatWeights(weights) {
  const flat = new Float32Array(weights.reduce((sum, w) => sum + w.data.length, 0));
  let offset = 0;
  for (const { data } of weights) {
    flat.set(data, offset);
    offset += data.length;
  }
  return flat;
}

/** A getWeights() list with every tensor's data replaced by the matching part of `flat`. */
export function withFlatWeights(template, flat) {
  let offset = 0;
  return template.map(({ name, shape, data }) => {
    const part = flat.subarray(offset, offset + data.length);
    offset += data.length;
    return { name, shape, data: part };
  });
}
