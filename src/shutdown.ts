/**
 * Aborted when the app stops, after in-flight jobs had their grace period. Outgoing HTTP calls and
 * waits inside jobs end at once instead of outliving the database connections they need: the rows
 * they were working on stay pending, and the next instance to run redoes them.
 */
export class Shutdown {
  private readonly controller = new AbortController();
  /** One per call in flight: a long-lived signal shared by every call would collect their listeners. */
  private readonly inFlight = new Set<AbortController>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  abort(): void {
    const reason = new Error("the app is shutting down");
    this.controller.abort(reason);
    for (const call of this.inFlight) call.abort(reason);
    this.inFlight.clear();
  }

  /** A signal for one outgoing call, aborted if the app stops; `done` must be called when it ends. */
  callSignal(): { signal: AbortSignal; done: () => void } {
    const call = new AbortController();
    if (this.aborted) call.abort(this.signal.reason);
    else this.inFlight.add(call);
    return { signal: call.signal, done: () => this.inFlight.delete(call) };
  }

  /** `fetch` whose calls end at once when the app stops. */
  fetch(inner: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const { signal, done } = this.callSignal();
      try {
        return await inner(input, {
          ...init,
          signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
        });
      } finally {
        done();
      }
    };
  }

  /** Waits `ms`, or rejects as soon as the app stops. */
  sleep(ms: number): Promise<void> {
    const { signal, done } = this.callSignal();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    }).finally(done);
  }
}

/** A Shutdown that never fires, for code run outside an app (tests of one service, scripts). */
export const NEVER_SHUTS_DOWN = new Shutdown();

/** Work started and not yet finished, so that stopping can wait for it before closing what it uses. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  async track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    try {
      return await work;
    } finally {
      this.running.delete(work);
    }
  }

  /** Resolves when everything running now has finished, or after `ms`, whichever comes first. */
  async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([Promise.allSettled([...this.running]), deadline]);
    clearTimeout(timer);
  }
}
