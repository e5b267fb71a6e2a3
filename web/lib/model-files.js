// Model files: a network as files to save — an nnplay model (net.toJSON()) or TF.js's pair,
// model.json + weights.bin (from net.toTFJS()) — and the files a user chose read back into a
// model. No DOM, so every page and Node use it: files out are { name, type, data } (data a
// string or an ArrayBuffer) for the page to save; files in are anything with name, text() and
// arrayBuffer() (a browser File, a Node Blob or File).
//
// Both formats can carry metadata (a JSON object) for the page that made them: the nnplay file
// as a "metadata" member beside format, version, config and weights (nn.fromJSON ignores it),
// model.json as TF.js's own userDefinedMetadata.
import { floatsFromBase64 } from "./base64.js";

export const TFJS_WEIGHTS_FILE = "weights.bin";

/** An nnplay model file: net.toJSON() as JSON text. */
export function nnplayModelFile(model, { name = "model.nnplay.json", metadata } = {}) {
  const json = metadata === undefined ? model : { ...model, metadata };
  return { name, type: "application/json", data: JSON.stringify(json) };
}

/**
 * TF.js's two files for net.toTFJS() artifacts: model.json (modelTopology and a weightsManifest
 * naming weights.bin) and weights.bin, what tf.loadLayersModel reads.
 */
export function tfjsModelFiles(artifacts, { metadata } = {}) {
  const { modelTopology, format = "layers-model", generatedBy, convertedBy, weightSpecs, weightData } = artifacts;
  const modelJson = { modelTopology, format, generatedBy, convertedBy,
    weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: weightSpecs }] };
  if (metadata !== undefined) modelJson.userDefinedMetadata = metadata;
  return [
    { name: "model.json", type: "application/json", data: JSON.stringify(modelJson) },
    { name: TFJS_WEIGHTS_FILE, type: "application/octet-stream", data: weightData },
  ];
}

/**
 * An nnplay model's weights as a setWeights() list: { name, shape, data: Float32Array }, the
 * data decoded from its base64 text or number list. What the names, shapes and values must be
 * is the core's to check (net.setWeights); this only says when a tensor is not one at all.
 */
export function weightsOfModel(model) {
  if (!Array.isArray(model?.weights)) throw new Error("weights: expected a list of tensors");
  return model.weights.map((w, i) => {
    const at = `weights[${i}]`;
    if (typeof w?.name !== "string" || !Array.isArray(w.shape)) throw new Error(`${at}: expected {name, shape, data}`);
    if (Array.isArray(w.data)) return { name: w.name, shape: w.shape, data: Float32Array.from(w.data) };
    try {
      return { name: w.name, shape: w.shape, data: floatsFromBase64(w.data) };
    } catch (error) {
      throw new Error(`${at}.data: ${error.message}`);
    }
  });
}

const isWeightsFile = (file) => /\.bin$/i.test(file.name);

function concatBuffers(buffers) {
  const bytes = new Uint8Array(buffers.reduce((sum, b) => sum + b.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return bytes.buffer;
}

/**
 * Reads the files a user chose: one nnplay model file, or a TF.js model.json with the weight
 * files its manifest lists. Returns { format: "nnplay", model, metadata } (model for
 * nn.fromJSON) or { format: "tfjs", artifacts, metadata } (artifacts for nn.fromTFJS);
 * metadata is null when the file has none. Throws an Error that names the file at fault.
 */
export async function readModelFiles(files) {
  const list = Array.from(files ?? []);
  const models = list.filter((f) => !isWeightsFile(f));
  if (models.length !== 1) {
    throw new Error(models.length === 0 ?
      "choose the model file too: an nnplay .json file, or a TF.js model.json with its weights .bin" :
      `choose one model file, not ${models.length} (${models.map((f) => f.name).join(", ")})`);
  }
  const [file] = models;
  let json;
  try {
    json = JSON.parse(await file.text());
  } catch (error) {
    throw new Error(`${file.name} is not a JSON file (${error.message})`);
  }
  if (json?.format === "nnplay-model") {
    const { metadata = null, ...model } = json;
    return { format: "nnplay", model, metadata };
  }
  if (json?.modelTopology && typeof json.modelTopology === "object") {
    return { format: "tfjs", artifacts: await tfjsArtifacts(file.name, json, list.filter(isWeightsFile)),
      metadata: json.userDefinedMetadata ?? null };
  }
  throw new Error(`${file.name} is neither an nnplay model ("format": "nnplay-model") ` +
    "nor a TF.js model.json (it has no modelTopology)");
}

// model.json's weightsManifest -> artifacts with the weight files' bytes joined in order.
async function tfjsArtifacts(name, json, weightFiles) {
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error(`${name}: a TF.js model.json needs a weightsManifest list`);
  const paths = manifest.flatMap((group) => group?.paths ?? []);
  const buffers = [];
  for (const path of paths) {
    const wanted = String(path).split("/").pop();
    // A browser may save a second download as "weights (1).bin": one file for one path will do.
    const weights = weightFiles.find((f) => f.name === wanted) ??
      (paths.length === 1 && weightFiles.length === 1 ? weightFiles[0] : null);
    if (!weights) {
      throw new Error(`${name} keeps its weights in "${wanted}": choose that file together with ${name}`);
    }
    buffers.push(await weights.arrayBuffer());
  }
  const { modelTopology, format, generatedBy, convertedBy, trainingConfig } = json;
  return { modelTopology, format, generatedBy, convertedBy, trainingConfig,
    weightSpecs: manifest.flatMap((group) => group?.weights ?? []), weightData: concatBuffers(buffers) };
}
