// Little-endian float32 values as base64 text, the encoding of nnplay model files (standard
// alphabet, as the core writes them) and of a share link's weights (the URL-safe alphabet,
// unpadded, about 5.3 characters a value). No DOM.

const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/**
 * The floats in `text`; throws a TypeError saying what was expected (the caller names the
 * field). urlSafe: the "-_" alphabet without padding.
 */
export function floatsFromBase64(text, { urlSafe = false } = {}) {
  if (typeof text !== "string" || !(urlSafe ? URL_SAFE : STANDARD).test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    throw new TypeError(`expected base64${urlSafe ? "url" : ""} float32 data`);
  }
  const standard = urlSafe ? text.replace(/-/g, "+").replace(/_/g, "/") : text.replace(/=+$/, "");
  const binary = atob(standard + "==".slice(0, (4 - standard.length % 4) % 4));
  if (binary.length % 4 !== 0) throw new TypeError(`expected whole float32 values, got ${binary.length} bytes`);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  return Float32Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

/** The base64 text of `values` (any array of numbers, stored as float32). */
export function floatsToBase64(values, { urlSafe = false } = {}) {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  let binary = "";
  for (let i = 0; i < view.byteLength; i++) binary += String.fromCharCode(view.getUint8(i));
  const text = btoa(binary);
  return urlSafe ? text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : text;
}
