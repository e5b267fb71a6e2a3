// nnplay as a library: `npm pack`, install the tarball into a scratch project, then import
// { loadNN } from "nnplay" in Node, type-check a TypeScript use of it, and bundle it with
// Vite for a page that trains in Chromium.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build } from "vite";
import { serve } from "../../scripts/serve.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
let scratch;

const usage = `import { loadNN } from "nnplay";
const nn = await loadNN();
const net = nn.createNetwork({ input: [2], loss: "mse", seed: 1, batchSize: 1, init: "uniform",
  optimizer: { type: "sgd", lr: 0.1 },
  layers: [{ type: "dense", units: 3, activation: "tanh" }, { type: "dense", units: 1, activation: "tanh" }] });
const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]), y = new Float32Array([0, 1, 1, 0]);
net.fit({ x, y, n: 4, epochs: 1000, shuffle: false });
const result = { loss: net.evaluate(x, y, 4).loss, out: Array.from(net.predict(x, 4)) };
`;

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "nnplay-package-"));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: root });
  const [tarball] = (await readdir(scratch)).filter((f) => f.endsWith(".tgz"));
  await writeFile(join(scratch, "package.json"), JSON.stringify({ name: "scratch", type: "module", private: true }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", `./${tarball}`], { cwd: scratch });
});

after(async () => { await rm(scratch, { recursive: true, force: true }); });

test("installed_package_imports_and_trains_in_node", async () => {
  await writeFile(join(scratch, "node-use.mjs"), `${usage}console.log(JSON.stringify(result));\n`);
  const result = JSON.parse(execFileSync("node", ["node-use.mjs"], { cwd: scratch }).toString());
  assert.ok(result.loss < 0.01, `loss ${result.loss}`);
});

test("types_check_a_typescript_use_of_the_api", async () => {
  await writeFile(join(scratch, "use.ts"), `${usage}
const loss: number = result.loss;
const weights: { name: string; shape: number[]; data: Float32Array }[] = net.getWeights();
const model = net.toJSON();
const again = nn.fromJSON(model);
const csv = nn.datasets.parseCSV("a,b\\n1,0\\n", { label: "b", standardize: true });
const info = net.inspect(x, y, 4);
console.log(loss, weights.length, again.outputs, csv.classes, info.layers[0].dW.length, net.toTFJS().weightSpecs);
// @ts-expect-error: unknown layer types are compile errors
nn.createNetwork({ input: [2], loss: "mse", layers: [{ type: "lstm", units: 2 }] });
export {};
`);
  await writeFile(join(scratch, "tsconfig.json"), JSON.stringify({ compilerOptions: {
    target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true,
    skipLibCheck: false, types: [] }, files: ["use.ts"] }));
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", scratch],
    { cwd: scratch, stdio: "pipe" });
});

test("vite_bundle_loads_the_wasm_and_trains_in_chromium", async () => {
  await writeFile(join(scratch, "index.html"),
    '<!doctype html><title>scratch</title><script type="module" src="./main.js"></script>');
  // The page is cross-origin isolated (serve sends COOP/COEP): the bundle must find the
  // threaded module and its pthread worker script as well.
  await writeFile(join(scratch, "main.js"), `${usage}window.result = { ...result, threads: nn.threads,
    cores: Math.min(8, navigator.hardwareConcurrency) };\n`);
  await build({ root: scratch, logLevel: "silent", build: { outDir: "dist", target: "es2022" },
    configFile: false });
  const { server, url } = await serve({ port: 0, root: join(scratch, "dist") });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    const result = await page.waitForFunction(() => window.result, null, { timeout: 60_000 })
      .then((handle) => handle.jsonValue());
    assert.ok(result.loss < 0.01, `loss ${result.loss}`);
    assert.equal(result.threads, result.cores);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
