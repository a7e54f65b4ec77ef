// Yale reports a refused duplicate PIN as a genAlarms 113 next to a plain failure status: the alarm may
// arrive just before or just after the response, so a write waits briefly for it. An alarm while a
// setPinCode is under way is that write's answer (the write names its slot); any other is the keypad's.

/** How long after a failure status a write waits for the lock's duplicate alarm. */
const DUPLICATE_ALARM_GRACE_MS = 250;

export class DuplicateAlarms {
  private lastAt = Number.NEGATIVE_INFINITY;
  private waiter: (() => void) | null = null;
  private writes = 0;

  /** Runs a setPinCode and the wait for its alarm: alarms meanwhile are its own. */
  async during<T>(write: () => Promise<T>): Promise<T> {
    this.writes++;
    try {
      return await write();
    } finally {
      this.writes--;
    }
  }

  /** The lock sent genAlarms 113; true when a write under way will report it for its slot. */
  note(): boolean {
    this.lastAt = Date.now();
    this.waiter?.();
    return this.writes > 0;
  }

  /** Whether an alarm came since `since`, waiting up to the grace time for a late one. */
  seenSince(since: number): Promise<boolean> {
    if (this.lastAt >= since) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), DUPLICATE_ALARM_GRACE_MS);
      const done = (seen: boolean): void => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(seen);
      };
      this.waiter = () => done(true);
    });
  }
}
