// The user's own digits: each { label, pixels, heldOut } with pixels the 28 × 28 input the
// network saw, as bytes (Uint8Array(784), 255 = full ink, like MNIST). Every third example of
// each digit is held out when it is added: fine-tuning never trains on it, so the accuracy on
// the held-out ones says how the model reads handwriting like yours that it has not seen.
// Also the one small file they are exported to and imported from. No DOM.

export const PIXELS = 784;
export const MAX_EXAMPLES = 5000;
export const HOLD_OUT_EVERY = 3;  // the 3rd, 6th, 9th … example of a digit is held out
export const FORMAT = "nnplay-digit-examples";
export const FILE_NAME = "nnplay-my-digits.json";

/** An example from a 28 × 28 input in [0, 1], heldOut by the rule given the examples so far. */
export function makeExample(input28, label, examples) {
  checkLabel(label, "label");
  const pixels = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) pixels[i] = Math.round(Math.min(1, Math.max(0, input28[i])) * 255);
  const before = examples.filter((e) => e.label === label).length;
  return Object.freeze({ label, pixels, heldOut: before % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1 });
}

/** How many examples there are of each digit: an array of 10 counts. */
export function countPerLabel(examples) {
  const counts = new Array(10).fill(0);
  for (const e of examples) counts[e.label]++;
  return counts;
}

/** Network inputs { x, y, n } (x in [0, 1], y one-hot) for some examples. */
export function toInputs(examples) {
  const n = examples.length;
  const x = new Float32Array(n * PIXELS), y = new Float32Array(n * 10);
  examples.forEach((e, j) => {
    for (let i = 0; i < PIXELS; i++) x[j * PIXELS + i] = e.pixels[i] / 255;
    y[j * 10 + e.label] = 1;
  });
  return { x, y, n };
}

/** The export file's text: { format, version: 1, examples: [{ label, heldOut, pixels (base64) }] }. */
export function examplesFile(examples) {
  return JSON.stringify({ format: FORMAT, version: 1,
    examples: examples.map((e) => ({ label: e.label, heldOut: e.heldOut, pixels: bytesToBase64(e.pixels) })) });
}

/** The examples in an export file's text; throws an Error naming what is wrong. */
export function readExamplesFile(text) {
  let file;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new Error(`it is not JSON (${error.message})`);
  }
  if (file?.format !== FORMAT) {
    throw new Error(`format: expected "${FORMAT}", got ${JSON.stringify(file?.format ?? null)?.slice(0, 40)}`);
  }
  if (file.version !== 1) throw new Error(`version: expected 1, got ${JSON.stringify(file.version ?? null)?.slice(0, 20)}`);
  if (!Array.isArray(file.examples)) throw new Error("examples: expected an array");
  if (file.examples.length > MAX_EXAMPLES) {
    throw new Error(`examples: at most ${MAX_EXAMPLES} digits, got ${file.examples.length}`);
  }
  return file.examples.map((e, i) => {
    const at = `examples[${i}]`;
    if (!e || typeof e !== "object") throw new Error(`${at}: expected an object`);
    checkLabel(e.label, `${at}.label`);
    if (typeof e.heldOut !== "boolean") throw new Error(`${at}.heldOut: expected true or false`);
    let pixels;
    try {
      pixels = bytesFromBase64(e.pixels);
    } catch {
      throw new Error(`${at}.pixels: expected base64 text`);
    }
    if (pixels.length !== PIXELS) throw new Error(`${at}.pixels: expected ${PIXELS} bytes (28 × 28), got ${pixels.length}`);
    return Object.freeze({ label: e.label, pixels, heldOut: e.heldOut });
  });
}

function checkLabel(label, name) {
  if (!Number.isInteger(label) || label < 0 || label > 9) {
    throw new Error(`${name}: expected a digit, an integer from 0 to 9, got ${JSON.stringify(label ?? null)?.slice(0, 40)}`);
  }
}

function bytesToBase64(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function bytesFromBase64(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new TypeError("not base64");
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
