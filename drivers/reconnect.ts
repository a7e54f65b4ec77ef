// Bringing a radio controller (a Z-Wave stick, a Zigbee coordinator) back after it went away: bounded
// exponential backoff, one log line per attempt, stoppable at any moment. The stick is local to this
// hub, so there is no herd to spread out and no jitter: 1 s, 2 s, 4 s ... then every 30 s.
import type { DriverLogger } from "./contract.js";

export interface ReconnectOptions {
  /** Shown in log lines, e.g. "z-wave controller". */
  readonly what: string;
  readonly logger: DriverLogger;
}

const RECONNECT_INITIAL_DELAY_MS = 1_000;
const RECONNECT_MAX_DELAY_MS = 30_000;

/** The pause before attempt `attempt` (1-based) when the previous one failed. */
function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_INITIAL_DELAY_MS * 2 ** Math.max(0, Math.min(attempt - 2, 30)));
}

/** Thrown by `until` when the loop was stopped before `open` succeeded. */
export class ReconnectStopped extends Error {
  constructor(what: string) {
    super(`${what}: stopped before it could be opened`);
    this.name = "ReconnectStopped";
  }
}

export class Reconnector {
  private stopper = new AbortController();

  constructor(private readonly options: ReconnectOptions) {}

  /**
   * Calls `open` until it resolves, pausing between attempts. `first` says whether this is the first
   * open (a start) or a reopen after a loss, only for the log lines.
   */
  async until<T>(open: () => Promise<T>, first: boolean): Promise<T> {
    const { what, logger } = this.options;
    const signal = this.stopper.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new ReconnectStopped(what);
      if (attempt > 1) {
        const delay = reconnectDelay(attempt);
        await pause(delay, signal);
        if (signal.aborted) throw new ReconnectStopped(what);
      }
      try {
        const result = await open();
        if (!first || attempt > 1) logger.info({ attempt }, `${what} is back`);
        return result;
      } catch (error) {
        if (signal.aborted) throw new ReconnectStopped(what);
        const retryInMs = reconnectDelay(attempt + 1);
        logger.warn({ attempt, retryInMs, reason: error instanceof Error ? error.message : String(error) }, `${what} not reachable; retrying`);
      }
    }
  }

  /** Ends any pending or future wait; `until` then throws ReconnectStopped. */
  stop(): void {
    this.stopper.abort();
  }

  /** Allows `until` again after a stop (a driver started again). */
  reset(): void {
    if (this.stopper.signal.aborted) this.stopper = new AbortController();
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
