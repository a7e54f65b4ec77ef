// A radio's PairingError in the hub's error vocabulary (protocol.md §1, §7). Messages come from the
// drivers, which never put a PIN, DSK, QR or install code in them.
import { PairingError, type PairingFailureCode } from "../../drivers/contract.js";
import { ApiError, invalidInput, unsupported } from "../api/errors.js";

const FIELD_OF: Partial<Record<PairingFailureCode, string>> = {
  invalid_dsk: "dsk",
  invalid_qr_code: "qr_code",
  not_smart_start: "qr_code",
  invalid_install_code: "install_code",
  not_waiting_for_pin: "pin",
  unknown_lock: "device_id",
  not_failed: "device_id",
};

/** `field`: the request parameter a refusal is about when the code does not say. */
export function pairingError(e: unknown, field: string): Error {
  if (e instanceof ApiError) return e;
  if (!(e instanceof PairingError)) return e instanceof Error ? e : new Error(String(e));
  switch (e.code) {
    case "busy":
      return new ApiError(400, "pairing_in_progress", `the radio is busy pairing: ${e.message}`);
    case "exclusion_required":
      return new ApiError(400, "exclusion_required", e.message);
    case "unsupported":
      return unsupported(e.message);
    default:
      return invalidInput(e.message, { field: FIELD_OF[e.code] ?? field });
  }
}
