// What every lesson's session shares. No DOM: Node tests drive the sessions. A session owns
// its page's state and networks and publishes an immutable snapshot after every change
// (lib/snapshots.js); views subscribe, render, and send commands back:
//
//   view -> command -> session (networks, jobs) -> snapshot -> views
//
// Commands run one at a time, in the order they arrive: a click that comes while a command
// waits (for a job to stop, say) runs after it, never in the middle of it. Jobs are the work
// done a piece per animation frame outside the queue: training epochs, a landscape's grid, an
// optimizer's path. A command can stop a job and wait for its end.
//
// The rule that keeps networks safe: a network belongs to its session, and only the session's
// commands and jobs use it. A command that replaces or deletes a network first stops every job
// that uses it and waits for the job to end. What follows a job's end (its `done` promise) uses
// no network a command may delete: it publishes, or starts a command that checks its run is
// still the current one.
// Snapshots carry numbers, never networks.
import { Snapshots } from "../lib/snapshots.js";

export class LessonSession extends Snapshots {
  #queue = Promise.resolve();
  #jobs = new Map();  // name -> { stop(), done }
  #nextFrame;

  /**
   * initial: the first snapshot's fields (every snapshot also has alert: what to tell the
   * user, and invalid: the key of the field at fault, or ""). nextFrame(): a Promise resolved
   * at the next animation frame, the pace of jobs.
   */
  constructor(initial, { nextFrame }) {
    super({ alert: "", invalid: "", ...initial });
    this.#nextFrame = nextFrame;
  }

  /**
   * Runs task() after every command sent before it; resolves with its result. An error it
   * throws does not reject: the snapshot shows it (alert), with the field it names (invalid).
   */
  command(task) {
    const run = this.#queue.then(task).catch((error) => this.refuse(error));
    this.#queue = run;
    return run;
  }

  /** Shows why a command was refused, and the field at fault (a FieldError's). */
  refuse(error) {
    this.publish({ alert: error.message, invalid: typeof error.field === "string" ? error.field : "" });
  }

  /** Clears what refuse() showed: the fields of a command were fine. */
  accept() {
    if (this.snapshot.alert || this.snapshot.invalid) this.publish({ alert: "", invalid: "" });
  }

  /**
   * Starts job `name`: work() runs once per animation frame until it returns false, or the job
   * is stopped, or work throws (the snapshot then shows the error). Resolves with "finished",
   * "stopped" or "failed". A job of that name must not be running: stop it first.
   */
  startJob(name, work) {
    if (this.#jobs.has(name)) throw new Error(`the ${name} job is still running`);
    let stopped = false, wake;
    const stop = new Promise((resolve) => { wake = resolve; });
    const job = {
      stop() {
        stopped = true;
        wake();  // a job waiting for a frame ends now, not at the next frame (none comes in a hidden tab)
      },
    };
    job.done = (async () => {
      try {
        for (;;) {
          await Promise.race([this.#nextFrame(), stop]);
          if (stopped) return "stopped";
          if (work() === false) return "finished";
        }
      } catch (error) {
        this.publish({ alert: error.message, invalid: "" });
        return "failed";
      } finally {
        this.#jobs.delete(name);
      }
    })();
    this.#jobs.set(name, job);
    return job.done;
  }

  /** Stops these jobs (those running) and resolves once every one has ended. */
  stopJobs(...names) {
    return Promise.all(names.map((name) => {
      const job = this.#jobs.get(name);
      job?.stop();
      return job?.done;
    }));
  }
}
