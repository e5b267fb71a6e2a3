// npm run models: trains the digits page's two pretrained models again with the current core
// and prints what web/models/README.md says of them — MNIST test accuracy, training time, the
// time of one classification. Training is deterministic, so the same core gives the same
// bytes.
//
//   node scripts/models.mjs           retrain both into web/models/
//   node scripts/models.mjs --check   retrain into a scratch folder and compare with the
//                                     committed files: exit 1 if a byte differs
//
// The CNN trains natively (build/native/nnplay, about 11 minutes on an idle 2-core machine),
// the MLP in WASM (scripts/train-digits-mlp.mjs, about 2 minutes); both run at once.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadNN } from "../web/lib/nnplay.js";
import { gather, range } from "../web/lib/mnist/data.js";
import { readMnist } from "./mnist-data.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values: args } = parseArgs({ options: { check: { type: "boolean", default: false } } });

// What trains each committed file: the command, given the file to write.
const MODELS = [
  { file: "digits-cnn.json", command: (out) => ["build/native/nnplay", "train", "examples/digits-cnn.json",
    "--data", "mnist", "--augment", "--epochs", "15", "--lr-decay", "0.85", "--save", out] },
  { file: "digits-mlp.json", command: (out) => [process.execPath, "scripts/train-digits-mlp.mjs",
    "--epochs", "20", "--seed", "1", "--out", out] },
];

function run([program, ...rest], log) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, rest, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.on("data", (chunk) => {
      for (const line of String(chunk).split("\n").filter(Boolean)) console.log(`${log}: ${line}`);
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${program} exited with ${code}`))));
  });
}

const sha256 = async (path) => createHash("sha256").update(await readFile(path)).digest("hex");

const out = args.check ? await mkdtemp(join(tmpdir(), "nnplay-models-")) : join(root, "web/models");
console.log(`nnplay models: training ${MODELS.map((m) => m.file).join(" and ")} into ${out} ` +
  `(${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Node ${process.version})`);
const seconds = {};
await Promise.all(MODELS.map(async ({ file, command }) => {
  const started = performance.now();
  await run(command(join(out, file)), file);
  seconds[file] = (performance.now() - started) / 1000;
}));

// What README.md and web/models/README.md say of each file.
const nn = await loadNN();
const test = gather(await readMnist("test"), range(0, 10_000));
let differs = false;
for (const { file } of MODELS) {
  const path = join(out, file);
  const net = nn.fromJSON(JSON.parse(await readFile(path, "utf8")));
  const { accuracy } = net.evaluate(test.x, test.y, test.n);
  const one = test.x.subarray(0, 784);
  const started = performance.now();
  for (let i = 0; i < 200; i++) net.predict(one, 1);
  const perClassification = (performance.now() - started) / 200;
  net.delete();
  console.log(`${file}: MNIST test accuracy ${(accuracy * 100).toFixed(2)} % (${Math.round(accuracy * 10_000)} of ` +
    `10,000); trained in ${(seconds[file] / 60).toFixed(1)} min; one classification ` +
    `${perClassification.toFixed(2)} ms (WASM, Node, one thread)`);
  if (args.check) {
    const same = await sha256(path) === await sha256(join(root, "web/models", file));
    console.log(`${file}: ${same ? "byte for byte the committed file" : "DIFFERS from the committed file"}`);
    differs ||= !same;
  }
}
if (args.check) await rm(out, { recursive: true, force: true });
process.exitCode = differs ? 1 : 0;
