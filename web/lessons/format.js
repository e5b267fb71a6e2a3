// How the lessons write numbers. No DOM.

/**
 * A float32 result as text: the fewest significant digits, 7 at least, that still name the
 * exact float32 value the core computed (so 1.124 shows as 1.124000, 0.75472993 in full).
 */
export function float32Text(value) {
  if (!Number.isFinite(value)) return String(value);
  const f = Math.fround(value);
  for (let digits = 7; digits < 9; digits++) {
    const text = f.toPrecision(digits);
    if (Math.fround(Number(text)) === f) return text;
  }
  return f.toPrecision(9);
}

export const percent = (p, digits = 1) => (Number.isFinite(p) ? `${(100 * p).toFixed(digits)}%` : "–");
export const fixed = (v, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
