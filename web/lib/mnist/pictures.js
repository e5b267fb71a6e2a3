// Small images on canvases: 28 x 28 digits (what the network sees) and weight maps.

/** A canvas showing `values` (width * height, 0..1 or 0..255 with `max`) as white on black. */
export function grayCanvas(values, width = 28, height = 28, { max = 1, canvas } = {}) {
  canvas ??= document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[i] / max)));
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/**
 * A canvas showing signed `values`: red positive, blue negative, white zero (scaled to the
 * largest, or to `floor` if that is larger). canvas: one to paint on instead of a new one.
 */
export function divergingCanvas(values, width, height, { floor = 1e-12, canvas } = {}) {
  canvas ??= document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  let largest = floor;
  for (const v of values) largest = Math.max(largest, Math.abs(v));
  for (let i = 0; i < width * height; i++) {
    const t = values[i] / largest;  // -1..1
    const fade = Math.round(255 * (1 - Math.abs(t)));
    image.data.set(t >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

/** A <figure> with a pixelated picture and a caption. */
export function tile(canvas, caption, className = "tile") {
  const figure = document.createElement("figure");
  figure.className = className;
  canvas.classList.add("pixels");
  const text = document.createElement("figcaption");
  text.textContent = caption;
  figure.append(canvas, text);
  return figure;
}
