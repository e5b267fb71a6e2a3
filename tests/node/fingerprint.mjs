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
