// MNIST as the page loads it: web/build/data/mnist.json and one gzip file per split (made by
// scripts/mnist-data.mjs) holding n label bytes then n * 784 pixel bytes. No DOM: runs in the
// training worker and in Node (the tests serve web/build/data/ themselves; the scripts read the
// IDX files instead).

export const PIXELS = 784;
export const CLASSES = 10;

/**
 * Fetches both splits: fetchFile(name) -> Promise of a Response for a file of the data folder
 * (mnist.json and the files it names). onProgress({loaded, total}) counts compressed bytes.
 * Resolves to { train, test }, each { n, labels, images } of Uint8Arrays.
 */
export async function fetchMnist(fetchFile, onProgress = () => {}) {
  const response = await fetchFile("mnist.json");
  if (!response.ok) throw new Error(`MNIST data not found (${response.status}): run scripts/build.sh`);
  const manifest = await response.json();
  const splits = ["test", "train"];  // the small one first: evaluation can start sooner
  const total = splits.reduce((sum, s) => sum + manifest.splits[s].bytes, 0);
  let loaded = 0;
  const result = {};
  for (const split of splits) {
    const { file, n } = manifest.splits[split];
    const fileResponse = await fetchFile(file);
    if (!fileResponse.ok) throw new Error(`${file}: HTTP ${fileResponse.status}`);
    const counted = fileResponse.body.pipeThrough(new TransformStream({
      transform(chunk, controller) {
        loaded += chunk.byteLength;
        onProgress({ loaded, total });
        controller.enqueue(chunk);
      },
    }));
    const bytes = new Uint8Array(await new Response(
      counted.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
    if (bytes.length !== n * (1 + PIXELS)) throw new Error(`${file}: expected ${n} digits, got ${bytes.length} bytes`);
    result[split] = { n, labels: bytes.subarray(0, n), images: bytes.subarray(n) };
  }
  return result;
}

/**
 * Network inputs for the digits at `indices` of a split: { x: Float32Array(count * 784) in
 * [0, 1], y: one-hot Float32Array(count * 10), n }. Distorted copies for training come from
 * the core (nn.datasets.digitAugmenter applied to x), never from here.
 */
export function gather(split, indices) {
  const n = indices.length;
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n * CLASSES);
  for (let j = 0; j < n; j++) {
    const i = indices[j];
    for (let k = 0; k < PIXELS; k++) x[j * PIXELS + k] = split.images[i * PIXELS + k] / 255;
    y[j * CLASSES + split.labels[i]] = 1;
  }
  return { x, y, n };
}

/** 0..n-1 as indices, for gathering a whole split in order. */
export const range = (start, end) => Uint32Array.from({ length: end - start }, (_, k) => start + k);
