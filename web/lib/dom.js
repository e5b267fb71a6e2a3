// The two DOM helpers every page and view uses.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A new element with an optional class and text (never markup: text is textContent). */
export function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
