// Copies the browser libraries the pages use from node_modules into web/build/vendor, so the
// static site in web/ is self-contained (no CDN, works offline). Skips files already current.
import { copyFile, mkdir, stat } from "node:fs/promises";

const root = new URL("../", import.meta.url);
const files = [
  // [from node_modules, to web/build/vendor]
  ["uplot/dist/uPlot.esm.js", "uPlot.esm.js"],  // the playground's loss and accuracy charts
  ["uplot/dist/uPlot.min.css", "uPlot.min.css"],
];

await mkdir(new URL("web/build/vendor/", root), { recursive: true });
for (const [from, to] of files) {
  const source = new URL(`node_modules/${from}`, root);
  const target = new URL(`web/build/vendor/${to}`, root);
  const [s, t] = await Promise.all([stat(source), stat(target).catch(() => null)]);
  if (!t || t.mtimeMs < s.mtimeMs) await copyFile(source, target);
}
