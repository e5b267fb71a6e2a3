// The lessons' form fields as their sessions read them: the text typed in, a number out, or a
// FieldError that names the field as its label does, so the page says which field is wrong
// and marks it. A field is { key, name }: key for the page (which element), name for people.
// No DOM.

export class FieldError extends Error {
  /** field: { key, name }; message: what was expected. */
  constructor(field, message) {
    super(`${field.name}: ${message}`);
    this.field = field.key;
  }
}

/** Fields by key from their names: { epochs: "Epochs" } -> { epochs: { key: "epochs", name: "Epochs" } }. */
export const namedFields = (names) => Object.fromEntries(Object.entries(names).map(([key, name]) => [key, { key, name }]));

const shown = (text) => JSON.stringify(String(text).slice(0, 20));

/** The number in `text`; a FieldError when it is not a finite number ("" is none). */
export function readNumber(text, field) {
  const value = String(text).trim() === "" ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new FieldError(field, `expected a number, got ${shown(text)}`);
  return value;
}

/** readNumber for a whole number in [low, high]. */
export function readInteger(text, field, low, high) {
  const value = readNumber(text, field);
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new FieldError(field, `expected a whole number from ${low} to ${high}, got ${value}`);
  }
  return value;
}
