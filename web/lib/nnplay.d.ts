// Types for nnplay's JavaScript API (web/lib/nnplay.js). Written by hand: Emscripten 3.1.6
// emits none.

export type Activation = "linear" | "sigmoid" | "tanh" | "relu" | "softmax" | "leaky_relu" | "elu"
  | "gelu" | "softplus" | "swish";

export type LayerConfig =
  | { type: "dense"; units: number; activation?: Activation; /** leaky_relu only */ alpha?: number }
  | { type: "conv2d"; filters: number; kernel: number; stride?: number;
      padding?: "valid" | "same"; activation?: Activation; /** leaky_relu only */ alpha?: number }
  | { type: "maxpool2d"; size: number }
  | { type: "flatten" }
  | { type: "dropout"; rate: number }
  /** Keras BatchNormalization over the last axis, then the activation (default linear). */
  | { type: "batchnorm"; momentum?: number; epsilon?: number; activation?: Activation }
  | { type: "avgpool2d"; size: number };

export interface NetworkConfig {
  /** Shape of one sample: [features] or [height, width, channels]. */
  input: number[];
  layers: LayerConfig[];
  loss: "mse" | "quadratic" | "bce" | "cross_entropy";
  optimizer?: { type: "sgd"; lr?: number; momentum?: number; nesterov?: boolean }
    | { type: "adam"; lr?: number; beta1?: number; beta2?: number; epsilon?: number }
    | { type: "adamw"; lr?: number; weightDecay?: number; beta1?: number; beta2?: number; epsilon?: number }
    | { type: "rmsprop"; lr?: number; rho?: number; epsilon?: number }
    | { type: "adagrad"; lr?: number };
  /** The learning rate over optimizer steps t = 0, 1, ... (docs/API.md has the formulas). */
  schedule?: { type: "constant" }
    | { type: "step"; every?: number; factor?: number }
    | { type: "exponential"; decaySteps?: number; decayRate?: number; staircase?: boolean }
    | { type: "cosine"; decaySteps?: number; alpha?: number };
  regularization?: { type: "none" | "l1" | "l2"; rate?: number };
  init?: "xavier" | "he" | "uniform";
  /** Integer in [0, 4294967295]; same seed, same config: bit-identical training. */
  seed?: number;
  batchSize?: number;
}

export type Floats = Float32Array | Float64Array | number[];

export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface EpochEntry {
  epoch: number;
  loss: number;
  /** NaN when the targets are not class labels (regression). */
  accuracy: number;
  /** The learning rate of the epoch's last update (the schedule's at that step). */
  lr: number;
  /** Present when a batch's loss was NaN/Infinity; training stopped before using it. */
  diverged?: true;
  /** With fit({ layerStats: true }): one entry per layer with a kernel. */
  layers?: LayerStats[];
}

export interface LayerStats {
  /** Index into config.layers. */
  layer: number;
  /** Mean |dL/dW| over the kernel, averaged over the epoch's batches. */
  meanAbsGradient: number;
  /** Mean |W after the epoch - W before it| over the kernel. */
  meanAbsUpdate: number;
}

export interface LayerActivation {
  /** Index into config.layers. */
  layer: number;
  type: string;
  /** One sample's shape: [units] or [height, width, channels]. */
  shape: number[];
  /** n samples, row-major; images in NHWC order. */
  data: Float32Array;
}

export interface LayerUpdate {
  /** Index into config.layers. */
  layer: number;
  /** Gradients with regularization, in getWeights() order and shapes (batch norm: gamma's, beta's). */
  dW: Float32Array;
  db: Float32Array;
  /** The change one optimizer step would make: weight after minus weight before. */
  updateW: Float32Array;
  updateB: Float32Array;
}

export interface LayerInspection {
  /** Index into config.layers. */
  layer: number;
  /** Row-major n x units. */
  z: Float32Array;
  a: Float32Array;
  dz: Float32Array;
  /** Batch-mean gradient, kernel order [in, out] (batch norm: dL/dgamma, and db dL/dbeta). */
  dW: Float32Array;
  db: Float32Array;
  /** dLoss / d(layer output), n x units. */
  dA: Float32Array;
}

export interface ModelFile {
  format: "nnplay-model";
  version: 1;
  config: NetworkConfig;
  /** data: base64 of little-endian float32, or a number array. */
  weights: { name: string; shape: number[]; data: string | number[] }[];
}

export interface TFJSArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: "float32" }[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
}

export interface Network {
  readonly inputs: number;
  readonly outputs: number;
  readonly config: NetworkConfig;
  /** Optimizer steps taken so far. */
  readonly steps: number;
  /** The learning rate the next optimizer step uses: the schedule at step `steps`. */
  readonly learningRate: number;
  /** n * outputs values, row-major. */
  predict(x: Floats, n: number): Float32Array;
  /** One optimizer step; returns the batch loss (a non-finite loss means no update). */
  trainBatch(x: Floats, y: Floats, n: number): number;
  /** Loss and accuracy (NaN for regression targets) over n samples. */
  evaluate(x: Floats, y: Floats, n: number, options?: { outputs?: false }): { loss: number; accuracy: number };
  /** The same, plus what predict(x, n) gives, from one forward pass. */
  evaluate(x: Floats, y: Floats, n: number, options: { outputs: true }):
    { loss: number; accuracy: number; outputs: Float32Array };
  /** On { x, y, n } or on { data } from nn.upload: the same bits. */
  fit(options: ({ x: Floats; y: Floats; n: number } | { data: Uploaded }) & { epochs?: number;
    batchSize?: number; shuffle?: boolean; onEpoch?: (entry: EpochEntry) => boolean | void;
    layerStats?: boolean }): EpochEntry[];
  /** Forward and backward without an update; with inputGradient, also dX = dL/dx (n x inputs). */
  inspect(x: Floats, y: Floats, n: number, options?: { inputGradient?: boolean }):
    { loss: number; layers: LayerInspection[]; dX?: Float32Array };
  /** Every layer's output for n samples in inference mode; changes nothing. */
  activations(x: Floats, n: number): LayerActivation[];
  /** The gradients and the change one optimizer step on these samples would make; changes nothing. */
  previewUpdate(x: Floats, y: Floats, n: number): { loss: number; layers: LayerUpdate[] };
  getWeights(): Weight[];
  setWeights(list: { name: string; shape: number[]; data: Floats }[]): void;
  setLearningRate(lr: number): void;
  toJSON(): ModelFile;
  toTFJS(): TFJSArtifacts;
  /** Frees the WebAssembly memory; any later use throws. */
  delete(): void;
}

export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  n: number;
  inputs: number;
  outputs: number;
}

export interface CsvDataset extends Dataset {
  /** The label column's name. */
  label: string;
  /** Every column's name in file order, the label's included. */
  header: string[];
  /** Class names (sorted); empty for regression. Two classes give one 0/1 output. */
  classes: string[];
  columns: { name: string; mean: number; scale: number }[];
}

/** Random distortions of digit images on a seeded stream of their own. */
export interface DigitAugmenter {
  readonly height: number;
  readonly width: number;
  /**
   * A new array with each of the n images in x (n * height * width values) freshly distorted;
   * successive calls continue the same random stream.
   */
  apply(x: Floats, n: number): Float32Array;
  /** Frees the WebAssembly memory; any later use throws. */
  delete(): void;
}

/** A numeric config field's bounds (inclusive); without `default` the field is required. */
export interface NumberFieldSchema {
  type: "integer" | "number";
  min: number;
  max: number;
  default?: number;
}

export interface ChoiceFieldSchema<T extends string = string> {
  type: "choice";
  values: readonly T[];
  default?: T;
}

export interface BooleanFieldSchema {
  type: "boolean";
  default: boolean;
}

export type FieldSchema = NumberFieldSchema | ChoiceFieldSchema | BooleanFieldSchema;

/** What createNetwork accepts, from the descriptors the core validates with (deep-frozen). */
export interface ConfigSchema {
  readonly layers: {
    readonly dense: { units: NumberFieldSchema; activation: ChoiceFieldSchema<Activation>;
      alpha: NumberFieldSchema };
    readonly conv2d: { filters: NumberFieldSchema; kernel: NumberFieldSchema;
      stride: NumberFieldSchema; padding: ChoiceFieldSchema<"valid" | "same">;
      activation: ChoiceFieldSchema<Activation>; alpha: NumberFieldSchema };
    readonly maxpool2d: { size: NumberFieldSchema };
    readonly flatten: Record<string, never>;
    readonly dropout: { rate: NumberFieldSchema };
    readonly batchnorm: { momentum: NumberFieldSchema; epsilon: NumberFieldSchema;
      activation: ChoiceFieldSchema<Activation> };
    readonly avgpool2d: { size: NumberFieldSchema };
  };
  readonly layerTypes: readonly LayerConfig["type"][];
  readonly activations: readonly Activation[];
  /** Activations allowed only on the last layer. */
  readonly lastLayerOnly: readonly Activation[];
  readonly losses: readonly NetworkConfig["loss"][];
  /** The output activation a loss needs, e.g. bce: "sigmoid". */
  readonly lossOutput: Readonly<Partial<Record<NetworkConfig["loss"], Activation>>>;
  /** The optimizer types in the core's order (optimizers' keys come sorted by name). */
  readonly optimizerTypes: readonly ("sgd" | "adam" | "rmsprop" | "adagrad" | "adamw")[];
  readonly optimizers: {
    readonly sgd: { lr: NumberFieldSchema; momentum: NumberFieldSchema; nesterov: BooleanFieldSchema };
    readonly adam: { lr: NumberFieldSchema; beta1: NumberFieldSchema; beta2: NumberFieldSchema;
      epsilon: NumberFieldSchema };
    readonly adamw: { lr: NumberFieldSchema; weightDecay: NumberFieldSchema; beta1: NumberFieldSchema;
      beta2: NumberFieldSchema; epsilon: NumberFieldSchema };
    readonly rmsprop: { lr: NumberFieldSchema; rho: NumberFieldSchema; epsilon: NumberFieldSchema };
    readonly adagrad: { lr: NumberFieldSchema };
  };
  readonly scheduleTypes: readonly ("constant" | "step" | "exponential" | "cosine")[];
  readonly schedules: {
    readonly constant: Record<string, never>;
    readonly step: { every: NumberFieldSchema; factor: NumberFieldSchema };
    readonly exponential: { decaySteps: NumberFieldSchema; decayRate: NumberFieldSchema;
      staircase: BooleanFieldSchema };
    readonly cosine: { decaySteps: NumberFieldSchema; alpha: NumberFieldSchema };
  };
  readonly regularizations: readonly ("none" | "l1" | "l2")[];
  readonly regularizationRate: NumberFieldSchema;
  readonly inits: readonly ("xavier" | "he" | "uniform")[];
  readonly seed: NumberFieldSchema;
  readonly batchSize: NumberFieldSchema;
  /** input: up to maxRank dimensions, at most maxValues values per sample. */
  readonly input: { maxRank: number; maxValues: number };
  readonly limits: { units: number; layers: number; inputValues: number; parameters: number;
    activationsPerSample: number; batchValues: number; batchSize: number };
}

/** The job profile's times for one place in the core (nn.jobProfile), in seconds. */
export interface JobStats {
  /** The file and line of the core's loop, as "gemm.h:913". */
  readonly site: string;
  /**
   * "" for the job itself. Else a phase of it that the job's own code timed, as
   * "part 0: kernel gradient": calls, seconds and workSeconds are then its own, the rest 0.
   */
  readonly phase: string;
  readonly calls: number;
  /** Calls cut into pieces for more than one thread (the others ran whole on the caller's). */
  readonly sharedCalls: number;
  /** From each call to its return, on the calling thread. */
  readonly seconds: number;
  /** The calling thread's time claiming and running pieces. */
  readonly callerSeconds: number;
  /** Every thread's time running pieces. */
  readonly workSeconds: number;
  /** The calling thread's wait for the other threads' pieces after its own. */
  readonly waitSeconds: number;
}

/** Samples in WebAssembly memory (nn.upload): x has n * inputs values, y n * outputs. */
export interface Uploaded {
  readonly n: number;
  readonly inputs: number;
  readonly outputs: number;
  /** Frees the memory; fit({ data }) with it then throws. */
  delete(): void;
}

export interface NN {
  /** The config rules the core enforces, as data; the same frozen object on every access. */
  readonly schema: ConfigSchema;
  /** Threads the core uses: what loadNN gave it, 1 where threads are not possible. */
  readonly threads: number;
  /** The WebAssembly memory and how much of it is allocated (for leak checks). */
  memory(): { heapBytes: number; inUseBytes: number };
  /** true: times the core's jobs from now on, from zero; false: stops. */
  profileJobs(on: boolean): void;
  /** What profileJobs timed so far, by place in the core. */
  jobProfile(): JobStats[];
  /** n samples copied into WebAssembly memory once, for fit({ data }) with this nn's networks. */
  upload(samples: { x: Floats; y: Floats; n: number }): Uploaded;
  createNetwork(config: NetworkConfig): Network;
  fromJSON(model: ModelFile | string): Network;
  fromTFJS(artifacts: TFJSArtifacts): Network;
  datasets: {
    names(): string[];
    make(name: "circle" | "xor" | "gauss" | "spiral" | "moons" | "reg-plane" | "reg-gauss",
      options?: { n?: number; noise?: number; seed?: number }): Dataset;
    /**
     * label defaults to the last column whose value in the first data row is not a number, or
     * the last column when every value there is one.
     */
    parseCSV(text: string, options?: { label?: string | number; standardize?: boolean }): CsvDataset;
    /** Defaults: seed 1, 28 x 28 images (MNIST's). */
    digitAugmenter(options?: { seed?: number; height?: number; width?: number }): DigitAugmenter;
  };
}

/**
 * Loads the WebAssembly module (once per realm and thread count) in Node >= 20, a page or a
 * module Worker. threads (1 to 16): default every core up to 8 where threads are possible
 * (Node, or a cross-origin isolated page), else 1. Results are the same bits for any number.
 */
export function loadNN(options?: { threads?: number }): Promise<NN>;
