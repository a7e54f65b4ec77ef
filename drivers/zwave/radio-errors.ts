// Turning zwave-js errors and silence into the contract's RadioFailure vocabulary, and bounding
// every lock operation in time (the hub's executor retries; a call must never hang).
import { ZWaveError, ZWaveErrorCodes } from "zwave-js";
import { RadioError, type RadioFailure, type RadioResult } from "../contract.js";

/** Raised by withDeadline when our own time budget for one call runs out. */
export class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`no answer from the lock within ${ms} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * Races `work` against a timer. On expiry zwave-js may still be busy with the command in its own
 * queue; we stop waiting but keep a handler on the late promise so it cannot become unhandled.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(ms)), ms);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

/**
 * Classifies an error thrown while talking to a lock.
 * `wasDead`: zwave-js had marked the node dead before the call started; then a communication
 * failure means "offline" (known down) rather than "timeout" (did not answer this time).
 */
export function classifyError(error: unknown, wasDead: boolean): { failure: RadioFailure; message: string } {
  if (error instanceof RadioError) return { failure: error.failure, message: error.message };
  if (error instanceof DeadlineExceeded) return { failure: wasDead ? "offline" : "timeout", message: error.message };
  if (error instanceof ZWaveError) {
    switch (error.code) {
      // The lock (or zwave-js on its behalf, e.g. a code outside 4..10 characters) refused the request.
      case ZWaveErrorCodes.Argument_Invalid:
      case ZWaveErrorCodes.CC_NotSupported:
      case ZWaveErrorCodes.CC_NotImplemented:
      // ZW0217: the command does not fit one frame. Nothing was sent; sending it again cannot help
      // (batch-writes.ts splits a batch on it instead).
      case ZWaveErrorCodes.Controller_MessageTooLarge:
        return { failure: "rejected", message: error.message };
      // No ACK, no report, the stick gave up: the lock did not answer.
      case ZWaveErrorCodes.Controller_Timeout:
      case ZWaveErrorCodes.Controller_NodeTimeout:
      case ZWaveErrorCodes.Controller_MessageDropped:
      case ZWaveErrorCodes.Controller_ResponseNOK:
      case ZWaveErrorCodes.Controller_CallbackNOK:
      case ZWaveErrorCodes.Controller_MessageExpired:
      case ZWaveErrorCodes.Controller_Jammed:
      case ZWaveErrorCodes.Security2CC_CannotDecode:
        return { failure: wasDead ? "offline" : "timeout", message: error.message };
      // The node is gone or the radio is down.
      case ZWaveErrorCodes.Controller_NodeNotFound:
      case ZWaveErrorCodes.Controller_NodeRemoved:
      case ZWaveErrorCodes.Driver_NotReady:
      case ZWaveErrorCodes.Driver_Destroyed:
      case ZWaveErrorCodes.Driver_SerialPortClosed:
        return { failure: "offline", message: error.message };
      default:
        // Unknown radio trouble: let the executor's bounded backoff retry it.
        return { failure: "timeout", message: error.message };
    }
  }
  return { failure: "timeout", message: error instanceof Error ? error.message : String(error) };
}

export function failed(failure: RadioFailure, message: string): RadioResult {
  return { ok: false, failure, message };
}

export function toRadioError(error: unknown, wasDead: boolean): RadioError {
  if (error instanceof RadioError) return error;
  const { failure, message } = classifyError(error, wasDead);
  return new RadioError(failure, message);
}
