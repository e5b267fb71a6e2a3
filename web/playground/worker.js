// The playground's training worker: trainer.js's requests, served over postMessage
// (lib/worker-supervision.js). The page's session (session.js) sends them.
import { loadNN } from "../lib/nnplay.js";
import { siteUrl } from "../lib/site-files.js";
import { serveRequests } from "../lib/worker-supervision.js";
import { PlaygroundTrainer } from "./trainer.js";

// A preset's CSV file (lib/plane/tables.js PRESETS: path relative to web/).
async function fetchPreset({ title, path }) {
  const response = await fetch(new URL(path, siteUrl)).catch(() => null);
  if (!response?.ok) {
    throw new Error(`the ${title} preset is unavailable: ${path} was not built ` +
      "(scripts/build.sh makes it from Debian's python3-sklearn package)");
  }
  return response.text();
}

const trainer = loadNN().then((nn) => new PlaygroundTrainer(nn, { fetchPreset }));
const REQUESTS = ["core", "describe", "build", "train", "tune", "exportModel", "memory", "inspect", "probe",
  "setWeight", "landscape"];
serveRequests(Object.fromEntries(REQUESTS.map((type) =>
  [type, async (message) => (await trainer)[type](message)])));
