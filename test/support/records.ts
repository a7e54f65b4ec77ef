// Builders for store records in unit tests: a valid default, overridden per case.
import type { LockCapabilities } from "../../drivers/contract.js";
import type { CodeRecord, LockOperationRecord, LockRecord, SlotRecord, UnmanagedRecord } from "../../agent/store/records.js";

export const T0 = Date.parse("2026-11-26T12:00:00.000Z");
export const at = (ms: number) => new Date(T0 + ms).toISOString();

export function caps(over: Partial<LockCapabilities> = {}): LockCapabilities {
  return { slotCount: 5, codeLengths: [4, 5, 6], charset: "0123456789", supportsChecksum: true, supportsNativeSchedule: false, readback: "digits", ...over };
}

export function lockRecord(over: Partial<LockRecord> = {}): LockRecord {
  return {
    deviceId: "00000000-0000-4000-8000-000000000001",
    radioId: "zwave:0000abcd:2",
    protocol: "zwave",
    name: "Front door",
    manufacturer: null,
    model: null,
    simulated: true,
    isBattery: true,
    capabilities: caps(),
    reportedCodeLengths: null,
    online: true,
    removed: false,
    batteryLevel: 0.9,
    checksum: null,
    slotsSynced: true,
    readbackProof: null,
    errors: [],
    createdAt: at(-86_400_000),
    lockState: { locked: true, doorOpen: false },
    lockControls: { remoteLock: true, remoteUnlock: true, doorSensor: true },
    batteryLow: false,
    ...over,
  };
}

let n = 0;
export function codeRecord(over: Partial<CodeRecord> = {}): CodeRecord {
  n++;
  return {
    accessCodeId: `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`,
    deviceId: "00000000-0000-4000-8000-000000000001",
    name: `Code ${n}`,
    code: "4821",
    startsAt: null,
    endsAt: null,
    status: "setting",
    desired: "present",
    slot: null,
    wasOnLock: false,
    windowOpened: false,
    isExternalModificationAllowed: false,
    isOneTimeUse: false,
    isOfflineAccessCode: false,
    preferNativeScheduling: true,
    useBackupAccessCodePool: false,
    isBackup: false,
    backupState: null,
    pulledBackupAccessCodeId: null,
    commonCodeKey: null,
    isScheduledOnDevice: false,
    errors: [],
    warnings: [],
    pendingMutations: [],
    attemptStartedAt: T0,
    attempts: 0,
    nextAttemptAt: null,
    gaveUp: false,
    createdAt: at(-1000),
    updatedAt: at(-1000),
    ...over,
  };
}

export function slotRecord(slot: number, code: string | null, over: Partial<SlotRecord> = {}): SlotRecord {
  return { deviceId: "00000000-0000-4000-8000-000000000001", slot, code, masked: false, schedule: null, observedAt: at(-500), ...over };
}

export function unmanagedRecord(slot: number, code: string | null): UnmanagedRecord {
  return { accessCodeId: `00000000-0000-4000-a000-${String(slot).padStart(12, "0")}`, deviceId: "00000000-0000-4000-8000-000000000001", slot, code, name: `Slot ${slot}`, deleting: false, createdAt: at(-5000) };
}

let op = 0;
export function operationRecord(over: Partial<LockOperationRecord> = {}): LockOperationRecord {
  op++;
  return {
    actionAttemptId: `00000000-0000-4000-b000-${String(op).padStart(12, "0")}`,
    deviceId: "00000000-0000-4000-8000-000000000001",
    locked: false,
    requestedAt: T0 - 1000,
    deadlineAt: T0 + 29_000,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    ...over,
  };
}
