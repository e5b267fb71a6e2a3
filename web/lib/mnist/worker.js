// The MNIST worker (the digits page, lesson 004): trainer.js's requests, served over postMessage
// (lib/worker-supervision.js). The page side is client.js.
import { loadNN } from "../nnplay.js";
import { dataUrl } from "../site-files.js";
import { serveRequests } from "../worker-supervision.js";
import { MnistTrainer } from "./trainer.js";

const REQUESTS = ["load", "evaluate", "noise", "train", "stop", "fineTune"];

// Lets queued messages (a "stop") in between two training chunks; faster than setTimeout(0).
const channel = new MessageChannel();
function yieldToMessages() {
  return new Promise((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
}

const trainer = loadNN().then((nn) => new MnistTrainer(nn, {
  fetchFile: (name) => fetch(new URL(name, dataUrl)),
  post: (event) => events.post(event),
  yieldToMessages,
}));
// noise needs no data and stop must be heard during a training: neither waits its turn.
const events = serveRequests(Object.fromEntries(REQUESTS.map((type) =>
  [type, async (message, progress) => (await trainer)[type](message, progress)])),
{ concurrent: ["noise", "stop"] });
