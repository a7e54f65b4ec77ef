// An injected clock for tests: time moves only when the test says so (days in milliseconds).
import type { Clock } from "../../agent/util/clock.js";

interface Sleeper {
  until: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  private sleepers: Sleeper[] = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const s: Sleeper = { until: this.t + ms, resolve };
      this.sleepers.push(s);
      signal?.addEventListener(
        "abort",
        () => {
          this.sleepers = this.sleepers.filter((x) => x !== s);
          resolve();
        },
        { once: true },
      );
    });
  }
  /** Move time forward, waking every sleeper that is due. */
  advance(ms: number): void {
    this.set(this.t + ms);
  }
  /** Set the wall clock (forward or back, like an NTP correction); every sleeper re-checks. */
  set(t: number): void {
    const forward = t >= this.t;
    this.t = t;
    const due = forward ? this.sleepers.filter((s) => s.until <= t) : [...this.sleepers];
    this.sleepers = this.sleepers.filter((s) => !due.includes(s));
    for (const s of due) s.resolve();
  }
}
