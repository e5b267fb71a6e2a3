// npm run figures: the native command line's numbers that README.md quotes, measured again on
// this machine — tutorial 004's three MNIST networks (30 epochs each) and tutorial 001's
// breast-cancer network on its CSV file. Each run's last lines are printed as the CLI prints
// them, then one summary table. About two minutes on an idle 2-core machine.
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const RUNS = [
  { name: "784-30-10", args: ["examples/mnist-784-30-10.json", "--data", "mnist", "--epochs", "30"] },
  { name: "784-16-16-10", args: ["examples/mnist-784-16-16-10.json", "--data", "mnist", "--epochs", "30"] },
  { name: "784-10 (no hidden layer)", args: ["examples/mnist-784-10.json", "--data", "mnist", "--epochs", "30"] },
  { name: "breast cancer 30-15-1", args: ["examples/breast-cancer.json", "--data", "web/build/data/breast-cancer.csv",
    "--label", "diagnosis", "--standardize", "1", "--test-ratio", "0.2", "--epochs", "30"] },
];

// Runs the CLI; resolves to its output.
function train(args) {
  return new Promise((resolve, reject) => {
    const child = spawn("build/native/nnplay", ["train", ...args], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk) => { output += chunk; });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`nnplay train exited with ${code}`))));
  });
}

console.log(`nnplay figures: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores`);
const rows = [];
for (const { name, args } of RUNS) {
  const output = await train(args);
  const lines = output.trim().split("\n");
  console.log(`\n$ build/native/nnplay train ${args.join(" ")}\n${lines.slice(-2).join("\n")}`);
  const accuracy = /test accuracy ([\d.]+) \((\d+)\/(\d+)\)/.exec(lines.findLast((l) => l.includes("test accuracy")));
  const speed = /trained (\d+) epochs in ([\d.]+) s: (\d+) samples\/s/.exec(output);
  rows.push([name, accuracy ? `${(100 * Number(accuracy[1])).toFixed(2)} % (${accuracy[2]}/${accuracy[3]})` : "?",
    speed ? `${speed[2]} s, ${speed[3]} samples/s` : "?"]);
}
console.log("\n| network | test accuracy after 30 epochs | training |\n|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
