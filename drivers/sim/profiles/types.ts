// What a real lock model is, as the simulation presents it (protocol.md §9). Pure data: the facts and
// their sources are listed per profile in docs/locks.md. Read by the simulations and by config validation.
import type { Protocol, SimulatedLockConfig } from "../../contract.js";

/** The keys of a `simulation.locks[]` entry a profile gives defaults for (the entry's own keys override them). */
export type ProfileDefaults = Pick<SimulatedLockConfig, "slots" | "code_lengths" | "checksum" | "native_scheduling" | "masked_readback" | "battery"> & {
  /** Z-Wave User Code v2: the lock reports multi-code support (several codes per Extended User Code Set). */
  readonly multi_code: boolean;
};

/**
 * An old Alarm report (Notification CC v1) as a model sends it: its own alarm type, and a level. Without a
 * fixed level the level carries the user's slot (keypad operations) or the battery % (battery alarms).
 */
export interface ZWaveAlarm {
  readonly alarmType: number;
  readonly alarmLevel?: number;
}

/**
 * What a model that reports by Alarm sends for each thing that happens at the lock. zwave-js turns each into
 * a notification through the model's device file (compat.alarmMapping); what is not listed here (door sensor,
 * wrong codes, cover, keypad code changes) still goes out as a Notification Report.
 */
export interface ZWaveAlarmCodes {
  readonly rfLock: ZWaveAlarm;
  readonly rfUnlock: ZWaveAlarm;
  /** The level is the slot of the code entered. */
  readonly keypadLock: ZWaveAlarm;
  readonly keypadUnlock: ZWaveAlarm;
  /** The keypad's lock button (one-touch lock): no code, no slot. */
  readonly keypadButtonLock: ZWaveAlarm;
  readonly manualLock: ZWaveAlarm;
  readonly manualUnlock: ZWaveAlarm;
  readonly autoLock: ZWaveAlarm;
  readonly jammed: ZWaveAlarm;
  /** Too many wrong codes: the keypad shuts itself off. */
  readonly keypadLockout: ZWaveAlarm;
  /** The level is the battery %. */
  readonly lowBattery: ZWaveAlarm;
}

/** How a Z-Wave model identifies itself and behaves. */
export interface ZWaveModelFacts {
  /** Manufacturer Specific CC: these select the model's zwave-js device file (and its compat flags). */
  readonly manufacturerId: number;
  readonly productType: number;
  readonly productId: number;
  readonly security: "s2" | "s0";
  readonly userCodeVersion: 1 | 2;
  /**
   * The node lists Supervision. A device file may still remove it (compat.commandClasses.remove): the
   * lock then has it, but zwave-js does not use it.
   */
  readonly supervision: boolean;
  /** What a masked slot reads back as (when masked_readback); default "****". Schlage sends ten stars. */
  readonly maskedCode?: string;
  /** After an RF User Code Set the lock sends Access Control "new user code added" (0x0E) for the slot. */
  readonly reportsRfWrites: boolean;
  /** The lock reports each code zero-padded to this many bytes (zwave-js strips the padding). */
  readonly padsCodesTo?: number;
  /**
   * The lock reports its operations, jams, keypad lockout and battery by old Alarm reports (these codes) and
   * lists Notification CC version 1: zwave-js applies a device file's alarmMapping to version 1 reports only.
   */
  readonly alarmReports?: ZWaveAlarmCodes;
}

/** How a Zigbee model identifies itself and behaves. */
export interface ZigbeeModelFacts {
  /** genBasic attributes: zigbee-herdsman-converters picks its definition by these. */
  readonly manufacturerName: string;
  readonly modelId: string;
  /** The node descriptor's manufacturer code. */
  readonly manufacturerCode: number;
  /** The endpoint that carries the Door Lock cluster. */
  readonly doorLockEndpoint: number;
  /** After a successful RF setPinCode / clearPinCode the lock sends a programming event notification (source RF). */
  readonly programmingEventOnRfChange: boolean;
  /** How a duplicate PIN is refused: setPinCodeRsp status 3, or a failure plus genAlarms 113 (Yale). */
  readonly duplicateReport: "status" | "alarm";
}

interface ProfileBase {
  /** The id used in config and on /hub/simulate/new_lock. */
  readonly profile: string;
  /** The brand on the box; the radio may report the parent company (zwave-js: Allegion for Schlage). */
  readonly manufacturer: string;
  readonly model: string;
  readonly defaults: ProfileDefaults;
}

export interface ZWaveLockProfile extends ProfileBase {
  readonly protocol: "zwave";
  readonly zwave: ZWaveModelFacts;
}

export interface ZigbeeLockProfile extends ProfileBase {
  readonly protocol: "zigbee";
  readonly zigbee: ZigbeeModelFacts;
}

export type LockModelProfile = ZWaveLockProfile | ZigbeeLockProfile;

/** What /hub/simulate/profiles lists. */
export interface ProfileSummary {
  readonly profile: string;
  readonly protocol: Protocol;
  readonly manufacturer: string;
  readonly model: string;
}
