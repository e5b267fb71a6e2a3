// A page's module Worker as requests and answers, kept alive. The page side (SupervisedWorker)
// sends requests, each a Promise of its answer, and notices when its worker dies — an uncaught
// error, a fatal error the worker reports (its WebAssembly memory failed, or the module
// aborted), or no answer for too long — terminates it and tells the page, which restarts it and
// restores what the worker held. The worker side (serveRequests) answers with its handlers,
// says when it has started and reports its fatal errors. No DOM: both sides run in any realm.
//
// Page -> worker: { type, id, ... } a request; { type } without id, a message that expects no
// answer (e.g. "stop"); { type: "crash-test", how } kills the worker on purpose (tests).
// Worker -> page: { type: "started" } once its module ran; { type: "fatal", message } when it
// cannot go on; { id, type: "progress", ... } along the way; { id, type: "result", value } or
// { id, type: "error", message } to end a request; anything else (no id) is an event.

const STARTED = "started";
const FATAL = "fatal";
const CRASH_TEST = "crash-test";
const PROGRESS = "progress";
const RESULT = "result";
const ERROR = "error";
const HANG_TEST_LIMIT_MS = 1000;  // the watchdog's limit after crash("hang"), so tests need not wait

/**
 * Errors after which a worker cannot be trusted to go on: the WebAssembly module aborted or
 * trapped (RuntimeError), or memory could not be had (a RangeError from WebAssembly.Memory or
 * an ArrayBuffer, or the core's std::bad_alloc). A bad input is not one: the page reports it.
 */
export function isFatal(error) {
  if (error instanceof WebAssembly.RuntimeError) return true;
  const message = String(error?.message ?? error);
  if (error instanceof RangeError && /memory|allocat/i.test(message)) return true;
  return /bad_alloc|Aborted\(/.test(message);
}

/**
 * Starts a module Worker at once and keeps what it says until a SupervisedWorker adopts it
 * (option `early`). A page starts its worker this way from a small script of its own, so the
 * worker loads its modules and compiles WebAssembly while the page's bigger module graph still
 * loads.
 */
export function startEarly(url) {
  const worker = new Worker(url, { type: "module" });
  const early = { url: String(url), worker, heard: [] };  // heard: ["message" | "error", event]
  worker.onmessage = (event) => early.heard.push(["message", event]);
  worker.onerror = (event) => {
    event.preventDefault();
    early.heard.push(["error", event]);
  };
  return early;
}

/**
 * Page side: requests to a module Worker, each a Promise, and the worker's health.
 *
 * A request is a message with an id; the worker's messages with that id are progress for it
 * (to the request's onProgress) or its end: a result (the Promise resolves to its value) or an
 * error (it rejects with that message). Messages without an open request go to onEvent. When
 * the worker dies, every open request fails with an Error marked workerDied (so does every new
 * one until restart()), and onDeath(reason) is told once. A worker silent for answerWithinMs
 * while a request is open is taken for hung (any message it sends, progress included, counts as
 * an answer).
 */
export class SupervisedWorker {
  #url;
  #onEvent;
  #onDeath;
  #answerWithinMs;
  #limitMs;             // the watchdog's limit for this worker (shorter after crash("hang"))
  #worker = null;
  #started = false;
  #death = null;        // the Error of the last death, until restart()
  #pending = new Map(); // id -> { resolve, reject, onProgress }
  #nextId = 1;
  #watchdog = null;
  #forcedWait = false;  // crash("hang"): wait for an answer that will never come

  /** early: what startEarly(url) returned, adopted as the first worker (if it is for url). */
  constructor(url, { onEvent = () => {}, onDeath, answerWithinMs = 120_000, early = null }) {
    this.#url = url;
    this.#onEvent = onEvent;
    this.#onDeath = onDeath;
    this.#answerWithinMs = answerWithinMs;
    this.#start(early?.url === String(url) ? early : null);
  }

  #start(early = null) {
    const worker = early?.worker ?? new Worker(this.#url, { type: "module" });
    this.#worker = worker;
    this.#started = false;
    this.#death = null;
    this.#limitMs = this.#answerWithinMs;
    const onMessage = ({ data }) => {
      if (worker !== this.#worker) return;
      this.#heard();
      if (data?.type === STARTED) this.#started = true;
      else if (data?.type === FATAL) this.#die(data.message);
      else this.#dispatch(data);
    };
    const onError = (event) => {
      event.preventDefault();
      if (worker !== this.#worker) return;
      const message = (event.message || "no message").replace(/^Uncaught /, "");
      this.#die(this.#started ? `an uncaught error (${message})` : "it could not start");
    };
    worker.onmessage = onMessage;
    worker.onerror = onError;
    // What an early worker said before: told in a microtask, so onDeath never runs inside the
    // constructor, and before any later message (a task).
    const heard = early?.heard.splice(0) ?? [];
    if (heard.length) {
      queueMicrotask(() => {
        for (const [kind, event] of heard) (kind === "message" ? onMessage : onError)(event);
      });
    }
  }

  #dispatch(data) {
    const request = data?.id !== undefined && this.#pending.get(data.id);
    if (!request) return this.#onEvent(data);
    if (data.type === PROGRESS) return request.onProgress?.(data);
    this.#pending.delete(data.id);
    if (data.type === ERROR) request.reject(new Error(data.message));
    else request.resolve(data.value);
  }

  /** Sends { ...message, id } -> Promise of the answer's value; onProgress(data) gets progress. */
  request(message, onProgress) {
    if (this.#death) return Promise.reject(this.#death);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ ...message, id });
      this.#heard();
    });
  }

  /** Sends a message that expects no answer; none while the worker is dead. */
  post(message) {
    this.#worker?.postMessage(message);
  }

  /**
   * A new worker after a death; it holds nothing yet. False (and none started) when the dead
   * one never started: its script or module does not load here, so another would die the same way.
   */
  restart() {
    if (this.#worker) return true;
    if (!this.#started) return false;
    this.#start();
    return true;
  }

  /**
   * Kills the worker on purpose, for tests: "error" (an uncaught exception), "memory" (a
   * WebAssembly.Memory that cannot grow) or "hang" (an endless loop; the watchdog limit drops
   * to a second for this worker).
   */
  crash(how) {
    if (how === "hang") {
      this.#limitMs = HANG_TEST_LIMIT_MS;
      this.#forcedWait = true;
    }
    this.post({ type: CRASH_TEST, how });
    this.#heard();
  }

  // Any sign of life (or a new request) restarts the watchdog's count.
  #heard() {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (this.#worker && (this.#forcedWait || this.#pending.size > 0)) {
        this.#die(`it stopped answering (no reply in ${Math.round(this.#limitMs / 1000)} s)`);
      }
    }, this.#limitMs);
  }

  #die(reason) {
    clearTimeout(this.#watchdog);
    this.#worker.terminate();
    this.#worker = null;
    this.#forcedWait = false;
    this.#death = Object.assign(new Error(`the training worker stopped: ${reason}`), { workerDied: true });
    for (const { reject } of this.#pending.values()) reject(this.#death);
    this.#pending.clear();
    this.#onDeath(reason);
  }
}

/**
 * Worker side: answers requests with handlers[type](message, progress) — its return value (or
 * what its Promise resolves to) is the answer, a thrown Error's message the failure, and
 * progress(data) sends progress along the way. Requests run one at a time, in order, except
 * those whose type is in `concurrent` (e.g. "stop" while training). Typed arrays in an answer
 * are transferred, not copied. Fatal errors (isFatal) are reported, after which the page
 * replaces the worker. post(message) sends an event (a message no request waits for).
 */
export function serveRequests(handlers, { concurrent = [] } = {}) {
  let queue = Promise.resolve();
  const reportFatal = superviseSelf(({ data: message }) => {
    const { id, type } = message;
    const progress = (data) => self.postMessage({ ...data, id, type: PROGRESS }, transferables(data));
    const run = async () => {
      try {
        const value = await handlers[type](message, progress);
        if (id !== undefined) self.postMessage({ id, type: RESULT, value }, transferables(value));
      } catch (error) {
        if (isFatal(error)) reportFatal(error);
        else if (id !== undefined) self.postMessage({ id, type: ERROR, message: error?.message ?? String(error) });
      }
    };
    if (concurrent.includes(type)) run();
    else queue = queue.then(run);
  });
  return { post: (message) => self.postMessage(message, transferables(message)) };
}

// The buffers of every typed array in a message, to transfer instead of copying.
function transferables(value, list = []) {
  if (ArrayBuffer.isView(value)) {
    if (!list.includes(value.buffer)) list.push(value.buffer);
  } else if (value && typeof value === "object") {
    for (const v of Object.values(value)) transferables(v, list);
  }
  return list;
}

// Says "started", reports fatal errors thrown outside handle's own error handling (unhandled
// rejections), and hands every other message to handle; returns reportFatal(error).
function superviseSelf(handle) {
  const reportFatal = (error) => self.postMessage({ type: FATAL, message: describe(error) });
  self.addEventListener("unhandledrejection", (event) => {
    if (!isFatal(event.reason)) return;
    event.preventDefault();
    reportFatal(event.reason);
  });
  self.onmessage = (event) => {
    if (event.data?.type === CRASH_TEST) crash(event.data.how);
    else handle(event);
  };
  self.postMessage({ type: STARTED });
  return reportFatal;
}

// A fatal error as the page tells it: "The training worker stopped: <this>."
function describe(error) {
  const message = String(error?.message ?? error);
  return error instanceof RangeError || /bad_alloc/.test(message) ? `it ran out of memory (${message})` :
    `its WebAssembly module failed (${message})`;
}

function crash(how) {
  if (how === "error") throw new Error("crash test: an uncaught error in the worker");
  if (how === "memory") {
    // A real WebAssembly.Memory failure, made cheaply: grow past a one-page maximum.
    Promise.resolve().then(() => new WebAssembly.Memory({ initial: 1, maximum: 1 }).grow(1));
  }
  if (how === "hang") for (;;);  // never returns: only terminate() ends it
}
