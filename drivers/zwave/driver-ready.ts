// Waiting for zwave-js's "driver ready" without hanging forever and without letting its "error"
// events crash the process (an EventEmitter "error" without a listener throws).
import { ZWaveError, ZWaveErrorCodes, type Driver } from "zwave-js";
import type { DriverLogger } from "../contract.js";

export interface ReadyWait {
  readonly ready: Promise<void>;
  /** Stops waiting (e.g. start-up failed another way); `ready` then never settles. */
  cancel(): void;
}

/**
 * zwave-js gave up on the controller and destroys itself: the serial port could not be (re)opened,
 * or the controller stopped answering. Only a new Driver can talk to it again.
 */
export function isDriverFailure(error: unknown): boolean {
  return error instanceof ZWaveError && error.code === ZWaveErrorCodes.Driver_Failed;
}

/** Call before anything can make zwave-js emit "driver ready". */
export function waitForDriverReady(driver: Driver, timeoutMs: number, logger: DriverLogger): ReadyWait {
  let timer: NodeJS.Timeout | undefined;
  let fail: (error: Error) => void = () => undefined;
  // Fatal errors fail the wait (the caller logs them once); others are only logged.
  driver.on("error", (e) => (isDriverFailure(e) ? fail(e) : logger.error({ err: e.message }, "zwave-js error")));
  const ready = new Promise<void>((resolve, reject) => {
    fail = (e) => {
      clearTimeout(timer);
      reject(e);
    };
    timer = setTimeout(() => reject(new Error(`zwave-js was not ready after ${timeoutMs} ms`)), timeoutMs);
    driver.once("driver ready", () => {
      clearTimeout(timer);
      fail = () => undefined;
      resolve();
    });
  });
  return {
    ready,
    cancel: () => {
      clearTimeout(timer);
      fail = () => undefined;
    },
  };
}
