// Painting a layer's outputs on canvases for the digits page's views: one channel of an NHWC
// picture, or a vector laid out in rows. Values are scaled by the largest |value| of the layer,
// so maps of one layer compare: positive white on black, negative blue.

/** The largest |value| in data (at least a tiny number, so an all-zero layer paints black). */
export function largest(data) {
  let max = 1e-12;
  for (const v of data) if (Math.abs(v) > max) max = Math.abs(v);
  return max;
}

/** How a layer's output is drawn: { height, width, channels } (a long vector: rows 8 times wider than tall). */
export function gridOf(shape) {
  if (shape.length === 3) return { height: shape[0], width: shape[1], channels: shape[2] };
  const units = shape[0];
  const width = units <= 32 ? units : Math.ceil(Math.sqrt(units * 8));
  return { height: Math.ceil(units / width), width, channels: 1 };
}

/** Paints channel `c` of `data` (laid out as gridOf(shape)) on `canvas`, scaled by `max`. */
export function paintChannel(canvas, data, shape, c, max) {
  const { height, width, channels } = gridOf(shape);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const k = i * channels + c;
    const t = k < data.length && i < data.length / channels ? data[k] / max : 0;
    const v = Math.round(255 * Math.min(1, Math.abs(t)));
    image.data.set(t >= 0 ? [v, v, v, 255] : [0, Math.round(v * 0.4), v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

/** A short name for a number on screen: 3 significant decimals, a true minus sign. */
export const num = (v, digits = 3) => (Object.is(v, -0) ? 0 : v).toFixed(digits).replace("-", "−");
