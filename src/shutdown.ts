/**
 * Aborted when the app stops, after in-flight jobs had their grace period. Outgoing HTTP calls and
 * waits inside jobs end at once instead of outliving the database connections they need: the rows
 * they were working on stay pending, and the next instance to run redoes them.
 */
export class Shutdown {
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  abort(): void {
    this.controller.abort(new Error("the app is shutting down"));
  }

  /** The caller's own signal, if any, joined with this one. */
  join(signal?: AbortSignal | null): AbortSignal {
    return signal ? AbortSignal.any([signal, this.signal]) : this.signal;
  }

  /** Waits `ms`, or rejects as soon as the app stops. */
  sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
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
