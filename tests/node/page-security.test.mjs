// The site's source under audit, without a browser: every page declares the site's
// Content-Security-Policy and needs nothing it forbids (no inline script or style, no event
// handler attributes), no script builds markup from strings or runs strings as code, and the
// worker supervisor tells fatal errors from ordinary ones.
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CONTENT_SECURITY_POLICY } from "../../scripts/serve.mjs";
import { isFatal } from "../../web/lib/worker-supervision.js";

const web = fileURLToPath(new URL("../../web/", import.meta.url));

// The site's own files ending in one of `extensions`; web/build (generated, vendored) apart.
async function siteFiles(...extensions) {
  const entries = await readdir(web, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && extensions.some((x) => e.name.endsWith(x)))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((path) => !relative(web, path).startsWith("build"))
    .sort();
}

test("every_page_declares_the_site_content_security_policy", async () => {
  const pages = await siteFiles(".html");
  assert.ok(pages.length >= 3, pages.join(", "));
  for (const page of pages) {
    const html = await readFile(page, "utf8");
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)">/gi)];
    assert.equal(metas.length, 1, `${relative(web, page)}: one CSP <meta>`);
    assert.equal(metas[0][1], CONTENT_SECURITY_POLICY, relative(web, page));
    // Before any script or stylesheet, so it covers them all.
    assert.ok(metas[0].index < html.search(/<(script|link|style)\b/i), `${relative(web, page)}: CSP first`);
  }
});

test("pages_have_no_inline_script_style_or_event_handlers", async () => {
  for (const page of await siteFiles(".html")) {
    const html = await readFile(page, "utf8");
    const name = relative(web, page);
    for (const script of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(script[1], /\ssrc="[^"]+"/, `${name}: a script without src`);
      assert.equal(script[2].trim(), "", `${name}: inline script`);
    }
    assert.doesNotMatch(html, /<style\b/i, `${name}: <style>`);
    assert.doesNotMatch(html, /\sstyle\s*=/i, `${name}: style attribute`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${name}: event handler attribute`);
    assert.doesNotMatch(html, /(href|src|action)\s*=\s*"\s*javascript:/i, `${name}: javascript: URL`);
  }
});

test("scripts_neither_parse_markup_nor_evaluate_strings", async () => {
  const forbidden = new RegExp([
    String.raw`\.innerHTML\b`, String.raw`\.outerHTML\b`, "insertAdjacentHTML", "createContextualFragment",
    String.raw`document\.write`, String.raw`\beval\s*\(`, String.raw`new\s+Function\b`,
    "set(Timeout|Interval)\\(\\s*[\"'`]",  // a string of code
  ].join("|"));
  const scripts = await siteFiles(".js", ".mjs");
  assert.ok(scripts.length > 10);
  for (const file of scripts) {
    const code = await readFile(file, "utf8");
    assert.doesNotMatch(code, forbidden, relative(web, file));
  }
  // The Emscripten glue too: built with -sDYNAMIC_EXECUTION=0 it has no eval or new Function.
  const glue = await readFile(join(web, "build/nnplay_wasm.js"), "utf8");
  assert.doesNotMatch(glue, /\beval\s*\(|new\s+Function\b/, "build/nnplay_wasm.js");
});

test("worker_supervision_takes_memory_and_module_failures_for_fatal", () => {
  assert.ok(isFatal(new WebAssembly.RuntimeError("unreachable")));
  assert.ok(isFatal(new WebAssembly.RuntimeError("Aborted(OOM)")));
  assert.ok(isFatal(new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded")));
  assert.ok(isFatal(new RangeError("Array buffer allocation failed")));
  assert.ok(isFatal(new Error("std::bad_alloc")));
  // Bad input is the page's to report; the worker goes on.
  assert.ok(!isFatal(new Error("layers[0].units: expected an integer in [1, 4096], got 1e9")));
  assert.ok(!isFatal(new RangeError("Invalid array length")));
  assert.ok(!isFatal(new TypeError("x is not a function")));
  assert.ok(!isFatal("a string"));
});
