// The drawing pad (#digit-pad): white ink on black like MNIST, drawn with mouse, finger or pen
// through pointer events, or with the keyboard: the arrow keys move a pen (a ring over the pad,
// never in the picture the network reads), Space or Enter puts it down and lifts it again.
// Strokes are kept as point lists, so undo simply redraws the rest.

const SIDE = 280;             // canvas pixels; CSS may show it at any size
const STROKE = 26;            // ink width in canvas pixels: MNIST-like ~2.5 px once scaled to 20 px
const MIN_STEP = 1.5;         // closer points add nothing but jitter
const INK = "#fff", PAPER = "#000";
const KEY_STEP = 14;          // canvas pixels an arrow key moves the pen (Shift: FINE_STEP)
const FINE_STEP = 4;
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export class DrawingPad {
  #canvas;
  #context;
  #strokes = [];           // [{ width, points: [[x, y], ...] }]
  #current = null;
  #pointerId = null;
  #onChange;
  #pen;                    // the keyboard pen's ring (an element over the canvas), or null
  #penAt = [SIDE / 2, SIDE / 2];
  #penDown = false;        // a keyboard stroke is being drawn

  /**
   * canvas: the <canvas> element (focusable); pen: the element shown as the keyboard pen, or
   * null. onChange(final) is called while a stroke grows (final = false) and when it ends or the
   * drawing changes otherwise (final = true).
   */
  constructor(canvas, onChange, { pen = null } = {}) {
    this.#canvas = canvas;
    canvas.width = canvas.height = SIDE;
    this.#context = canvas.getContext("2d", { willReadFrequently: true });
    this.#onChange = onChange;
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e));
    canvas.addEventListener("pointercancel", (e) => this.#up(e));
    canvas.addEventListener("keydown", (e) => this.#key(e));
    canvas.addEventListener("blur", () => this.#liftPen());
    this.#pen = pen;
    this.#redraw();
    this.#showPen(false);
  }

  get isEmpty() { return this.#strokes.length === 0; }
  get width() { return SIDE; }
  get height() { return SIDE; }

  /** The drawing as SIDE * SIDE gray values in 0..255 (ink bright). */
  gray() {
    const rgba = this.#context.getImageData(0, 0, SIDE, SIDE).data;
    const gray = new Uint8ClampedArray(SIDE * SIDE);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i];
    return gray;
  }

  clear() {
    this.#penDown = false;
    this.#showPen();
    this.#strokes = [];
    this.#current = null;
    this.#redraw();
    this.#onChange(true);
  }

  undo() {
    if (!this.#strokes.length) return;
    if (this.#strokes.at(-1) === this.#current) {
      this.#current = null;
      this.#penDown = false;
      this.#showPen();
    }
    this.#strokes.pop();
    this.#redraw();
    this.#onChange(true);
  }

  #point(event) {
    const rect = this.#canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * SIDE / rect.width,
      (event.clientY - rect.top) * SIDE / rect.height];
  }

  #down(event) {
    this.#liftPen();
    this.#showPen(false);
    if (this.#pointerId !== null || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    this.#pointerId = event.pointerId;
    this.#canvas.setPointerCapture?.(event.pointerId);
    // a pen's pressure varies the width a little; mice and fingers report none worth using
    const width = event.pointerType === "pen" && event.pressure > 0
      ? STROKE * (0.7 + 0.6 * event.pressure) : STROKE;
    this.#current = { width, points: [this.#point(event)] };
    this.#strokes.push(this.#current);
    this.#redraw();
    this.#onChange(false);
  }

  #move(event) {
    if (event.pointerId !== this.#pointerId || !this.#current) return;
    const events = event.getCoalescedEvents?.() ?? [];
    for (const e of events.length ? events : [event]) this.#add(this.#point(e));
    this.#redraw();
    this.#onChange(false);
  }

  #up(event) {
    if (event.pointerId !== this.#pointerId) return;
    if (this.#current && event.type === "pointerup") this.#add(this.#point(event), true);
    this.#pointerId = null;
    this.#current = null;
    this.#redraw();
    this.#onChange(true);
  }

  // Arrow keys move the pen (drawing while it is down); Space or Enter puts it down or lifts it.
  #key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || this.#pointerId !== null) return;
    const move = MOVES[event.key];
    if (move) {
      event.preventDefault();
      const step = event.shiftKey ? FINE_STEP : KEY_STEP;
      const clamp = (v) => Math.max(0, Math.min(SIDE, v));
      this.#penAt = [clamp(this.#penAt[0] + move[0] * step), clamp(this.#penAt[1] + move[1] * step)];
      if (this.#penDown) {
        this.#add(this.#penAt, true);
        this.#redraw();
        this.#onChange(false);
      }
      this.#showPen(true);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (this.#penDown) {
        this.#liftPen();
      } else {
        this.#penDown = true;
        this.#current = { width: STROKE, points: [[...this.#penAt]] };
        this.#strokes.push(this.#current);
        this.#redraw();
        this.#onChange(false);
      }
      this.#showPen(true);
    }
  }

  // Ends a keyboard stroke, if one is being drawn.
  #liftPen() {
    if (!this.#penDown) return;
    this.#penDown = false;
    this.#current = null;
    this.#showPen();
    this.#onChange(true);
  }

  // The pen's ring: where it is, whether it is down; shown once a key moved or lowered it.
  #showPen(visible = null) {
    if (!this.#pen) return;
    if (visible !== null) this.#pen.hidden = !visible;
    this.#pen.style.left = `${(100 * this.#penAt[0]) / SIDE}%`;
    this.#pen.style.top = `${(100 * this.#penAt[1]) / SIDE}%`;
    this.#pen.classList.toggle("down", this.#penDown);
  }

  #add(point, always = false) {
    const points = this.#current.points;
    const [x, y] = points.at(-1);
    if (always || Math.hypot(point[0] - x, point[1] - y) >= MIN_STEP) points.push(point);
  }

  #redraw() {
    const c = this.#context;
    c.fillStyle = PAPER;
    c.fillRect(0, 0, SIDE, SIDE);
    c.strokeStyle = c.fillStyle = INK;
    c.lineCap = c.lineJoin = "round";
    for (const { width, points } of this.#strokes) {
      c.lineWidth = width;
      if (points.length === 1) {  // a dot
        c.beginPath();
        c.arc(points[0][0], points[0][1], width / 2, 0, 2 * Math.PI);
        c.fill();
        continue;
      }
      // Smoothing: quadratic curves through the midpoints, the recorded points as controls.
      c.beginPath();
      c.moveTo(points[0][0], points[0][1]);
      for (let i = 1; i < points.length - 1; i++) {
        const [x, y] = points[i], [nx, ny] = points[i + 1];
        c.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
      }
      c.lineTo(points.at(-1)[0], points.at(-1)[1]);
      c.stroke();
    }
  }
}
