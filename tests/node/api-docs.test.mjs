// docs/API.md against the code it documents: its config reference is what
// scripts/api-docs.mjs writes from the core, every member of the API's interfaces in
// web/lib/nnplay.d.ts has an entry, every field of its result types is named, every page hook
// of a page's window.nnplay object and every setting its URL carries is in that page's section,
// and every config example builds.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import ts from "typescript";
import { BEGIN, DOC, END, configReference, withReference } from "../../scripts/api-docs.mjs";
import { defaultSettings, formatHash } from "../../web/digits/state.js";
import { loadNN } from "../../web/lib/nnplay.js";
import { PlaygroundRules } from "../../web/lib/plane/state.js";

const nn = await loadNN();
const root = new URL("../../", import.meta.url);
const doc = await readFile(DOC, "utf8");
const script = fileURLToPath(new URL("scripts/api-docs.mjs", root));

// ---- Markdown

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const headings = doc.split("\n").filter((line) => /^#{1,6} /.test(line));

/** The text from the heading that contains `needle` to the next heading of its level or above. */
function section(needle) {
  const lines = doc.split("\n");
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.includes(needle));
  assert.ok(start >= 0, `docs/API.md has no heading with ${needle}`);
  const level = lines[start].indexOf(" ");
  const end = lines.findIndex((line, i) => i > start && /^#{1,6} /.test(line) && line.indexOf(" ") <= level);
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** Whether `text` names `name` in code: `name`, `name(...)`, or inside a longer code span. */
const namedInCode = (text, name) => [...text.matchAll(/```[^\n]*\n([\s\S]*?)```|`([^`]+)`/g)]
  .some((m) => new RegExp(`(^|[^\\w$])${escape(name)}($|[^\\w$])`).test(m[1] ?? m[2]));

// ---- the config reference

test("config_reference_is_what_the_core_validates", () => {
  const begin = doc.indexOf(BEGIN), end = doc.indexOf(END);
  assert.ok(begin >= 0 && end > begin, "docs/API.md has the config reference's markers");
  assert.equal(doc.slice(begin + BEGIN.length, end).trim(), configReference(nn),
    "docs/API.md's config reference is stale: run `node scripts/api-docs.mjs`");
});

test("config_reference_refuses_names_it_does_not_describe", () => {
  const schema = structuredClone(nn.schema);
  const changed = (change) => {
    const copy = structuredClone(schema);
    change(copy);
    return copy;
  };
  assert.throws(() => configReference(nn, changed((s) => s.activations.push("mish"))),
    /the activation "mish" has no description/);
  assert.throws(() => configReference(nn, changed((s) => { s.layers.dense.useBias = { type: "choice", values: ["yes"] }; })),
    /the layer field "dense.useBias" has no description/);
  assert.throws(() => configReference(nn, changed((s) => { s.optimizers.adam.amsgrad = { type: "choice", values: ["no"] }; })),
    /the optimizer field "adam.amsgrad" has no description/);
  assert.throws(() => configReference(nn, changed((s) => { s.warmups = []; })), /nn.schema key "warmups"/);
  assert.throws(() => configReference(nn, changed((s) => { s.losses = s.losses.filter((l) => l !== "quadratic"); })),
    /describes the loss "quadratic", which the core does not have/);
});

test("api_docs_script_check_fails_on_a_stale_file_and_passes_on_the_real_one", async () => {
  const run = (...args) => spawnSync(process.execPath, [script, "--check", ...args], { encoding: "utf8" });
  assert.equal(run().status, 0, "docs/API.md is up to date");
  const dir = await mkdtemp(join(tmpdir(), "nnplay-api-docs-"));
  try {
    const stale = join(dir, "API.md");
    await writeFile(stale, withReference(doc, configReference(nn).replace("integer in [1, 4096]", "integer in [1, 4095]")));
    const result = run(stale);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /differs from the core's/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test("config_examples_in_the_docs_build", () => {
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  assert.ok(blocks.length >= 2);
  for (const config of blocks) nn.createNetwork(config).delete();
});

// ---- the JS API, from its .d.ts

const dts = ts.createSourceFile("nnplay.d.ts", await readFile(new URL("web/lib/nnplay.d.ts", root), "utf8"),
  ts.ScriptTarget.Latest, true);
const interfaces = new Map(dts.statements.filter(ts.isInterfaceDeclaration).map((node) => [node.name.text, node]));

/** "prefix.member" for every member; a property whose type is an object literal by its members. */
function memberPaths(members, prefix) {
  return [...new Set(members.flatMap((member) => {
    const name = member.name.getText(dts);
    if (ts.isPropertySignature(member) && member.type && ts.isTypeLiteralNode(member.type)) {
      return memberPaths(member.type.members, `${prefix}${name}.`);
    }
    return [`${prefix}${name}`];
  }))];
}

// How the docs call each interface's object.
const API = { NN: "nn.", Network: "net.", DigitAugmenter: "augmenter.", Uploaded: "data." };

test("every_member_of_the_api_in_the_d_ts_has_an_entry", () => {
  const paths = [
    ...dts.statements.filter(ts.isFunctionDeclaration).map((node) => node.name.text),
    ...Object.entries(API).flatMap(([name, prefix]) => {
      assert.ok(interfaces.has(name), `nnplay.d.ts declares ${name}`);
      return memberPaths(interfaces.get(name).members, prefix);
    }),
  ];
  assert.ok(paths.includes("loadNN") && paths.includes("nn.datasets.make") && paths.includes("net.fit"), paths.join(" "));
  // An entry is a heading that names it in code: ### `net.fit(options)`, ### `net.inputs`, `net.outputs`.
  const missing = paths.filter((path) => !headings.some((h) => new RegExp(`\`${escape(path)}[(\`]`).test(h)));
  assert.deepEqual(missing, [], `docs/API.md needs an entry (a heading) for each of: ${missing.join(", ")}`);
});

test("every_field_of_the_api_types_is_named_in_the_docs", () => {
  const missing = [];
  for (const [name, node] of interfaces) {
    if (API[name]) continue;
    for (const path of memberPaths(node.members, "")) {
      const field = path.split(".").at(-1);
      if (!namedInCode(doc, field)) missing.push(`${name}.${path}`);
    }
  }
  assert.deepEqual(missing, [], `docs/API.md never names these in code: ${missing.join(", ")}`);
});

// ---- the pages' hooks

async function sourceFiles(dir) {
  const files = [];
  for (const entry of await readdir(new URL(dir, root), { withFileTypes: true })) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory() && path !== "web/build") files.push(...await sourceFiles(`${path}/`));
    else if (entry.isFile() && path.endsWith(".js")) files.push(path);
  }
  return files;
}

/** The keys of every `window.nnplay = { ... }` in a JavaScript file. */
function hookKeys(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const keys = [];
  const visit = (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        node.left.getText(source) === "window.nnplay") {
      assert.ok(ts.isObjectLiteralExpression(node.right), `${path}: window.nnplay is an object literal`);
      for (const property of node.right.properties) keys.push(property.name.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return keys;
}

test("every_page_hook_is_in_its_pages_section", async () => {
  const pages = [];
  for (const path of await sourceFiles("web/")) {
    const text = await readFile(new URL(path, root), "utf8");
    if (text.includes("window.nnplay =")) pages.push({ path, keys: hookKeys(path, text) });
  }
  for (const page of ["web/playground/main.js", "web/digits/main.js", "web/lessons/lesson.js"]) {
    assert.ok(pages.some((p) => p.path === page), `found window.nnplay in ${page}`);
  }
  const missing = [];
  for (const { path, keys } of pages) {
    // A page's section is the one whose heading names its source file.
    const text = section(`(\`${path}\`)`);
    assert.ok(keys.includes("ready"), `${path}: window.nnplay.ready`);
    // A row of its own in the section's hooks table: "| `name(...)` |" or "| `name` |".
    const table = text.split("\n\n").find((block) => block.startsWith("| hook |")) ?? "";
    const row = (key) => new RegExp(`^\\| \`${escape(key)}[(\`]`, "m").test(table);
    for (const key of keys) if (!row(key)) missing.push(`${path}: ${key}`);
  }
  assert.deepEqual(missing, [], `docs/API.md's page sections need these hooks: ${missing.join(", ")}`);
});

test("every_url_setting_is_in_its_pages_section", () => {
  const rules = new PlaygroundRules({ schema: nn.schema, datasets: nn.datasets.names() });
  const playground = section("(`web/playground/main.js`)");
  const digits = section("(`web/digits/main.js`)");
  const missing = [
    ...rules.fields.map((f) => f.key).filter((key) => !namedInCode(playground, key)).map((k) => `playground: ${k}`),
    ...[...new URLSearchParams(formatHash(defaultSettings()).slice(1)).keys()].filter((key) => key !== "v")
      .filter((key) => !namedInCode(digits, key)).map((k) => `digits: ${k}`),
  ];
  assert.deepEqual(missing, [], `docs/API.md's page sections need these URL settings: ${missing.join(", ")}`);
});
