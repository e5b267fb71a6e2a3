// The pages' one seeded random generator, for what they shuffle or draw themselves (a table's
// train/test split, MNIST batch order, landscape directions, noise). The core has its own Rng
// for everything it computes; this one only has to give the same sequence for the same seed in
// every browser and in Node. No DOM.

/** mulberry32: a small, fast generator; returns () => uniform in [0, 1). */
export function makeRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 0..n-1 in a random order (Fisher-Yates) drawn from `random`. */
export function permutation(n, random) {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** A standard normal sample from two uniform ones (Box-Muller). */
export function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
