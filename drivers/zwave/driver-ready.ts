// Waiting for zwave-js's "driver ready" without hanging forever and without letting its "error"
// events crash the process (an EventEmitter "error" without a listener throws).
import type { Driver } from "zwave-js";
import type { DriverLogger } from "../contract.js";

export interface ReadyWait {
  readonly ready: Promise<void>;
  /** Stops waiting (e.g. start-up failed another way); `ready` then never settles. */
  cancel(): void;
}

/** Call before anything can make zwave-js emit "driver ready". */
export function waitForDriverReady(driver: Driver, timeoutMs: number, logger: DriverLogger): ReadyWait {
  driver.on("error", (e) => logger.error({ err: e.message }, "zwave-js error"));
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`zwave-js was not ready after ${timeoutMs} ms`)), timeoutMs);
    driver.once("driver ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return { ready, cancel: () => clearTimeout(timer) };
}
