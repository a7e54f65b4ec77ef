/** The one source of time. Tests inject a manual clock to move time; production uses the wall clock. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` of this clock's time, or early when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        signal?.removeEventListener("abort", done);
        clearTimeout(t);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export const iso = (ms: number) => new Date(ms).toISOString();
