// Pure: what a radio's PairingUpdate does to a pairing object, and which store action follows
// (protocol.md §7 statuses). The service applies the actions; nothing here does I/O.
import type { PairingUpdate } from "../../drivers/contract.js";
import { isFinal, type PairingObject, type PairingStatus } from "./pairing-object.js";

export type PairingAction =
  /** A lock joined: wait for its interview (lock_ready), then it is in device_ids. */
  | { readonly kind: "await_device"; readonly radioId: string; readonly deviceId: string }
  /** A new lock took the replaced device's place: re-program its codes. */
  | { readonly kind: "prepare_replacement"; readonly deviceId: string }
  /** A lock left through this pairing: delete its codes and the device. */
  | { readonly kind: "purge"; readonly deviceId: string };

export interface ProgressContext {
  /** How the hub is closing the window itself, if it is. */
  readonly closingAs: "stopped" | "expired" | null;
  readonly deviceIdFor: (radioId: string) => string;
}

export interface Progress {
  readonly record: PairingObject;
  readonly actions: readonly PairingAction[];
}

const CONTROLLER_ENDED = "The controller ended the inclusion before a lock joined; start a new pairing.";

function withStatus(record: PairingObject, status: PairingStatus, extra: Partial<PairingObject> = {}): PairingObject {
  return { ...record, ...extra, status };
}

/** Zigbee windows stay open for several locks; Z-Wave sessions end with their one lock. */
const multiJoin = (record: PairingObject): boolean => record.protocol === "zigbee" && record.kind === "include";

export function applyUpdate(record: PairingObject, update: PairingUpdate, ctx: ProgressContext): Progress {
  const same: Progress = { record, actions: [] };
  if (isFinal(record.status)) return same;
  switch (update.type) {
    case "device_found":
      return multiJoin(record) ? same : { record: withStatus(record, "securing"), actions: [] };
    case "security_requested":
      return { record: { ...record, requested_security_classes: update.requested }, actions: [] };
    case "pin_needed":
      return { record: withStatus(record, "pin_needed", { partial_dsk: update.partialDsk }), actions: [] };
    case "securing":
      return { record: withStatus(record, "securing"), actions: [] };
    case "joined": {
      const deviceId = ctx.deviceIdFor(update.radioId);
      const awaitDevice: PairingAction = { kind: "await_device", radioId: update.radioId, deviceId };
      // Zigbee has no security classes: the lock joins with the network key.
      const granted = update.granted.length ? { granted_security_classes: update.granted } : {};
      if (multiJoin(record)) return { record: { ...record, ...granted }, actions: [awaitDevice] };
      const actions: PairingAction[] = record.kind === "replace" ? [{ kind: "prepare_replacement", deviceId }, awaitDevice] : [awaitDevice];
      return { record: withStatus(record, "interviewing", granted), actions };
    }
    case "interview_failed":
      return { record: withStatus(record, "failed", { error: { type: "interview_failed", message: `The lock joined but its interview failed (${update.message}); exclude it and include it again.` } }), actions: [] };
    case "left": {
      const deviceId = ctx.deviceIdFor(update.radioId);
      return { record: withStatus(record, "succeeded", { device_ids: [deviceId] }), actions: [{ kind: "purge", deviceId }] };
    }
    case "failed": {
      const error = { type: update.error, message: update.message };
      // A Zigbee window stays open after refusing one lock; the refusal shows on it until it closes.
      if (multiJoin(record)) return { record: { ...record, error }, actions: [] };
      return { record: withStatus(record, ctx.closingAs === "stopped" ? "stopped" : "failed", { error }), actions: [] };
    }
    case "controller_lost":
      // A Zigbee window ends too: the restarted coordinator does not permit joining.
      return { record: withStatus(record, "failed", { error: { type: "timeout", message: update.message } }), actions: [] };
    case "closed": {
      if (ctx.closingAs) return { record: withStatus(record, ctx.closingAs), actions: [] };
      if (multiJoin(record)) return { record: withStatus(record, "expired"), actions: [] };
      // An exclusion that ends by itself reset a lock of no (or another) network: nothing left this one.
      if (record.kind === "exclude") return { record: withStatus(record, "succeeded"), actions: [] };
      return { record: withStatus(record, "failed", { error: { type: "timeout", message: CONTROLLER_ENDED } }), actions: [] };
    }
  }
}

/** The awaited lock became a device: it is listed, and a Z-Wave pairing has succeeded. */
export function deviceReady(record: PairingObject, deviceId: string): PairingObject {
  const device_ids = record.device_ids.includes(deviceId) ? record.device_ids : [...record.device_ids, deviceId];
  if (multiJoin(record) || isFinal(record.status)) return { ...record, device_ids };
  return withStatus(record, "succeeded", { device_ids });
}
