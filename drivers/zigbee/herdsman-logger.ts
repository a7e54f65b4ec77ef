// Herdsman logs through one global logger. Its debug lines print whole ZCL payloads (setPinCode,
// getPinCodeRsp: PINs), so debug is dropped; the other levels go to the driver's logger with any
// PIN-carrying field blanked, in case a payload ever reaches them.
import { setLogger } from "zigbee-herdsman";
import type { DriverLogger } from "../contract.js";

const PIN_FIELDS = /("(?:pincodevalue|pin|pincode|code)"\s*:\s*)("[^"]*"|\{[^}]*\}|\[[^\]]*\]|\d+)/gi;

export function redactPins(text: string): string {
  return text.replace(PIN_FIELDS, '$1"[redacted]"');
}

function text(messageOrLambda: string | (() => string)): string {
  return redactPins(typeof messageOrLambda === "function" ? messageOrLambda() : messageOrLambda);
}

/** Route herdsman's logging into `logger` (process-wide: herdsman has a single logger). */
export function routeHerdsmanLogs(logger: DriverLogger): void {
  setLogger({
    debug: () => undefined,
    // Herdsman is chatty at info (every interview step); the hub logs what matters itself.
    info: (message, namespace) => logger.debug({ herdsman: namespace }, text(message)),
    warning: (message, namespace) => logger.warn({ herdsman: namespace }, text(message)),
    error: (message, namespace) => logger.error({ herdsman: namespace }, text(message)),
  });
}
