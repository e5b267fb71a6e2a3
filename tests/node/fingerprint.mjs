// FNV-1a 64 over the bytes of float32 values, as tests/cpp/test_util.h computes it.
export function fingerprint(values) {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

// Input for the golden augmentation cases, as tests/cpp/determinism_test.cpp makes it: value k
// of the whole input, counted across batches, is max(0, (k * 37) % 101 - 50) / 50.
export function augmentInput(count) {
  return Float32Array.from({ length: count }, (_, k) => Math.max(0, (k * 37) % 101 - 50) / 50);
}
