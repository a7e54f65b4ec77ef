// Turning herdsman's exceptions into the contract's failures. Herdsman wraps the cause in a message that
// carries the whole command payload, PIN included ("ZCL command <ieee>/<ep> closuresDoorLock.setPinCode(
// {...}, {...}) failed (<cause>)"), so that message is never passed on: only the cause is inspected, and
// only a classification and a recognised status token leave this module.
import { Zcl } from "zigbee-herdsman";
import type { RadioFailure } from "../contract.js";

export interface ClassifiedError {
  readonly failure: RadioFailure;
  /** Safe to log and to return: contains no payload. */
  readonly detail: string;
}

const WRAPPER_END = "}) failed (";
const DELIVERY = /(MAC_[A-Z_]+|NWK_[A-Z_]+|APS_[A-Z_]+|delivery failed|no route|no ack)/i;

/** The cause inside herdsman's wrapper, without the payload part. */
function causeOf(message: string): string {
  const at = message.indexOf(WRAPPER_END);
  return at === -1 ? message : message.slice(at + WRAPPER_END.length, -1);
}

/**
 * - the frame could not be delivered (no ACK, no route, expired in the parent's queue) -> "offline";
 * - no answer within the timeout -> "timeout" (the executor retries with backoff);
 * - a ZCL status error (e.g. UNSUPPORTED_ATTRIBUTE from a read) -> "rejected";
 * - anything else -> "timeout": retryable, never mistaken for success.
 */
export function classifyRadioError(error: unknown, timeoutMs: number): ClassifiedError {
  const status = zclStatusName(error);
  if (status !== null) return { failure: "rejected", detail: `ZCL status ${status}` };
  const cause = causeOf(error instanceof Error ? error.message : String(error));
  const delivery = DELIVERY.exec(cause);
  if (delivery) return { failure: "offline", detail: `not delivered (${delivery[1] ?? "unknown"})` };
  if (/timeout|timed out/i.test(cause)) return { failure: "timeout", detail: `no answer within ${timeoutMs} ms` };
  return { failure: "timeout", detail: "radio error" };
}

/** The ZCL status name when the error is herdsman's ZclStatusError, else null. */
export function zclStatusName(error: unknown): string | null {
  if (!(error instanceof Zcl.StatusError)) return null;
  return Zcl.Status[error.code] ?? `0x${error.code.toString(16)}`;
}
