// Builds web/build/data/breast-cancer.csv, the Wisconsin diagnostic breast-cancer data of
// tutorial 001, from Debian's scikit-learn package (python3-sklearn): its data file
// sklearn/datasets/data/breast_cancer.csv (569 rows of 30 features and a 0/1 target, 0 =
// malignant) and the feature names in sklearn/datasets/_base.py. When the package is not
// installed, the .deb is fetched with `apt-get download` into build/deb and read without
// installing it. Skips all work when the output exists.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const output = `${root}web/build/data/breast-cancer.csv`;
const inPackage = "usr/lib/python3/dist-packages/sklearn/datasets";

function fromDeb() {
  const dir = `${root}build/deb`;
  mkdirSync(dir, { recursive: true });
  let deb = readdirSync(dir).find((f) => f.startsWith("python3-sklearn_") && f.endsWith(".deb"));
  if (!deb) {
    execFileSync("apt-get", ["download", "-q", "python3-sklearn"], { cwd: dir, stdio: "ignore" });
    deb = readdirSync(dir).find((f) => f.startsWith("python3-sklearn_") && f.endsWith(".deb"));
  }
  const extract = (path) => execFileSync("sh", ["-c",
    `dpkg-deb --fsys-tarfile "$0" | tar -xO "./$1"`, `${dir}/${deb}`, path],
    { maxBuffer: 64 << 20 }).toString();
  return { data: extract(`${inPackage}/data/breast_cancer.csv`), code: extract(`${inPackage}/_base.py`) };
}

function sources() {
  const installed = `/${inPackage}`;
  if (existsSync(`${installed}/data/breast_cancer.csv`)) {
    return {
      data: readFileSync(`${installed}/data/breast_cancer.csv`, "utf8"),
      code: readFileSync(`${installed}/_base.py`, "utf8"),
    };
  }
  return fromDeb();
}

if (!existsSync(output)) {
  try {
    const { data, code } = sources();
    const list = code.match(/feature_names\s*=\s*np\.array\(\s*\[([^\]]*)\]/);
    const names = list ? [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
    const [meta, ...rows] = data.trim().split(/\r?\n/);
    const [count, features, ...targetNames] = meta.split(",");
    if (names.length !== Number(features) || rows.length !== Number(count)) {
      throw new Error("unexpected layout of scikit-learn's breast_cancer.csv");
    }
    const csv = [[...names, "diagnosis"].join(",")];
    for (const row of rows) {
      const cells = row.split(",");
      const target = targetNames[Number(cells.pop())];
      csv.push([...cells, target].join(","));
    }
    mkdirSync(`${root}web/build/data`, { recursive: true });
    writeFileSync(output, csv.join("\n") + "\n");
    console.log(`nnplay: wrote ${output} (${rows.length} rows)`);
  } catch (error) {
    console.warn(`nnplay: the breast-cancer preset is unavailable (${error.message.split("\n")[0]});` +
      " install python3-sklearn or allow apt-get download");
  }
}
