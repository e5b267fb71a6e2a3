// The README and docs/ stand alone: every relative link (and image) leads to a file of the
// repository, an anchor to a heading of its page, and every other link to a public https site.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { posix } from "node:path";

const root = fileURLToPath(new URL("../../", import.meta.url));
const pages = ["README.md", ...readdirSync(`${root}docs`).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

// The repository's files: tracked or new, not ignored (so nothing only a build makes).
const repositoryFiles = (() => {
  try {
    const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return new Set(out.split("\0").filter(Boolean));
  } catch {
    return null;  // not a git checkout: the files on disk
  }
})();
const isFile = (path) => (repositoryFiles ? repositoryFiles.has(path) : existsSync(`${root}${path}`));
const isFolder = (path) => (repositoryFiles ? [...repositoryFiles].some((f) => f.startsWith(`${path}/`)) :
  existsSync(`${root}${path}`));

/** Markdown without code blocks and code spans, where brackets are not links. */
const withoutCode = (text) => text.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`]*`/g, "");

/** Every link target of a Markdown page: [text](target), ![alt](target), [id]: target, href/src. */
function linkTargets(text) {
  const prose = withoutCode(text);
  return [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]),
    ...[...prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)].map((m) => m[1]),
  ];
}

/** The anchors of a page's headings, as GitHub makes them (duplicates get -1, -2, ...). */
function anchors(text) {
  const seen = new Map();
  return new Set(withoutCode(text.replace(/`/g, "")).split("\n").filter((line) => /^#{1,6} /.test(line)).map((line) => {
    const slug = line.replace(/^#+ /, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").trim().toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N} _-]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    return n ? `${slug}-${n}` : slug;
  }));
}

// A public site: https, a dotted host name that is not a local or private address.
function isPublic(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname;
  return parsed.protocol === "https:" && host.includes(".") && !/^(localhost|127\.|10\.|192\.168\.|0\.)/.test(host) &&
    !/\.(local|internal|localhost)$/.test(host);
}

/** Why a link of `page` is broken, or null. */
function brokenLink(page, target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return isPublic(target) ? null : "leaves the repository for a non-public address";
  const [path, anchor] = target.split("#");
  const resolved = path ? posix.normalize(posix.join(posix.dirname(page), decodeURIComponent(path))) : page;
  if (resolved.startsWith("../") || resolved === "..") return "leaves the repository";
  const target_ = resolved.replace(/\/$/, "");
  if (!isFile(target_) && !isFolder(target_)) return `${resolved} is not a file of the repository`;
  if (anchor && target_.endsWith(".md") && !anchors(readFileSync(`${root}${target_}`, "utf8")).has(anchor)) {
    return `${target_} has no heading #${anchor}`;
  }
  return null;
}

test("links_in_the_readme_and_docs_stay_in_the_repository_or_go_to_public_sites", () => {
  const broken = [];
  let count = 0;
  for (const page of pages) {
    for (const target of linkTargets(readFileSync(`${root}${page}`, "utf8"))) {
      count++;
      const why = brokenLink(page, target);
      if (why) broken.push(`${page}: ${target} (${why})`);
    }
  }
  assert.ok(count > 20, `found ${count} links`);
  assert.deepEqual(broken, [], broken.join("\n"));
});

test("the_link_check_finds_what_breaks", () => {
  assert.deepEqual(linkTargets("See [a](../shared/X.md), ![b](docs/p.png \"t\"), `[c](no.md)`, [d]: e.md\n"),
    ["../shared/X.md", "docs/p.png"]);
  assert.deepEqual(linkTargets("[d]: e.md\n<img src=\"f.png\">"), ["e.md", "f.png"]);
  assert.equal(brokenLink("README.md", "../shared/NOTES.md"), "leaves the repository");
  assert.equal(brokenLink("docs/API.md", "../../x.md"), "leaves the repository");
  assert.match(brokenLink("README.md", "docs/NOPE.md"), /not a file of the repository/);
  assert.match(brokenLink("README.md", "docs/API.md#no-such-heading"), /has no heading/);
  assert.match(brokenLink("README.md", "http://localhost:8080/"), /non-public/);
  assert.match(brokenLink("README.md", "file:///etc/passwd"), /non-public/);
  assert.equal(brokenLink("README.md", "docs/API.md#page-hooks"), null);
  assert.equal(brokenLink("docs/API.md", "#the-module-nn"), null);
  assert.equal(brokenLink("docs/ARCHITECTURE.md", "../README.md"), null);
  assert.equal(brokenLink("README.md", "https://eigen.tuxfamily.org"), null);
});
