// Z-Wave lock models the simulation can be (protocol.md §9). Each carries the model's real Manufacturer
// Specific ids, so zwave-js loads that model's device file (node_modules/@zwave-js/config/config/devices/)
// and applies its compat flags. Every fact and its source: docs/locks.md.
import type { ZWaveAlarmCodes, ZWaveLockProfile } from "./types.js";

const DIGITS_4_TO_8 = [4, 5, 6, 7, 8] as const;

/**
 * Yale's alarm types, as 0x0129/templates/yale_template.json maps them (alarm_map_*); fixed levels are the
 * ones the mapping requires. Manual lock 21 comes at levels 1..3 (zwave-js #4641) and maps at any: level 2
 * for the keypad's lock button, and 1 for a jam, are simulation choices (docs/locks.md).
 */
const YALE_ALARMS: ZWaveAlarmCodes = {
  rfLock: { alarmType: 24, alarmLevel: 1 },
  rfUnlock: { alarmType: 25, alarmLevel: 1 },
  keypadLock: { alarmType: 18 },
  keypadUnlock: { alarmType: 19 },
  keypadButtonLock: { alarmType: 21, alarmLevel: 2 },
  manualLock: { alarmType: 21, alarmLevel: 1 },
  manualUnlock: { alarmType: 22, alarmLevel: 1 },
  autoLock: { alarmType: 27, alarmLevel: 1 },
  jammed: { alarmType: 9, alarmLevel: 1 },
  keypadLockout: { alarmType: 161, alarmLevel: 1 },
  lowBattery: { alarmType: 167 },
};

export const ZWAVE_PROFILES: readonly ZWaveLockProfile[] = [
  {
    profile: "schlage_be469zp",
    protocol: "zwave",
    manufacturer: "Schlage",
    model: "BE469ZP",
    defaults: { slots: 30, code_lengths: DIGITS_4_TO_8, checksum: false, native_scheduling: false, masked_readback: true, battery: true, multi_code: false },
    // 0x003b/be469zp.json removes Supervision (compat): the node lists it, zwave-js does not use it.
    zwave: { manufacturerId: 0x003b, productType: 0x0001, productId: 0x0469, security: "s2", userCodeVersion: 1, supervision: true, maskedCode: "**********", reportsRfWrites: false },
  },
  {
    profile: "kwikset_910",
    protocol: "zwave",
    manufacturer: "Kwikset",
    model: "910",
    defaults: { slots: 30, code_lengths: DIGITS_4_TO_8, checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zwave: { manufacturerId: 0x0090, productType: 0x0001, productId: 0x0001, security: "s0", userCodeVersion: 1, supervision: false, reportsRfWrites: false, padsCodesTo: 10 },
  },
  {
    profile: "kwikset_hc620",
    protocol: "zwave",
    manufacturer: "Kwikset",
    model: "HC620",
    defaults: { slots: 250, code_lengths: DIGITS_4_TO_8, checksum: true, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zwave: { manufacturerId: 0x0090, productType: 0x0811, productId: 0x23a8, security: "s2", userCodeVersion: 2, supervision: true, reportsRfWrites: false },
  },
  {
    profile: "yale_yrd256_zw3",
    protocol: "zwave",
    manufacturer: "Yale",
    model: "YRD256-ZW3",
    defaults: { slots: 250, code_lengths: DIGITS_4_TO_8, checksum: true, native_scheduling: true, masked_readback: false, battery: true, multi_code: true },
    zwave: { manufacturerId: 0x0129, productType: 0x8002, productId: 0x46d5, security: "s2", userCodeVersion: 2, supervision: true, reportsRfWrites: false },
  },
  {
    profile: "yale_yrd226_zw2",
    protocol: "zwave",
    manufacturer: "Yale",
    model: "YRD226 (ZW2)",
    // 0x0129/yrc_yrd_226_246_256_446-zw2.json overrides the users count to 251 (compat.overrideQueries).
    defaults: { slots: 251, code_lengths: DIGITS_4_TO_8, checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zwave: { manufacturerId: 0x0129, productType: 0x8002, productId: 0x0600, security: "s0", userCodeVersion: 1, supervision: false, reportsRfWrites: true, alarmReports: YALE_ALARMS },
  },
  {
    profile: "ultraloq_ubolt_pro",
    protocol: "zwave",
    manufacturer: "Ultraloq",
    model: "U-Bolt Pro Z-Wave",
    defaults: { slots: 250, code_lengths: DIGITS_4_TO_8, checksum: true, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zwave: { manufacturerId: 0x0452, productType: 0x0004, productId: 0x0001, security: "s2", userCodeVersion: 2, supervision: true, reportsRfWrites: false },
  },
  {
    profile: "id_lock_150",
    protocol: "zwave",
    manufacturer: "ID Lock",
    model: "ID-150",
    defaults: { slots: 109, code_lengths: [4, 5, 6, 7, 8, 9, 10], checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zwave: { manufacturerId: 0x0373, productType: 0x0003, productId: 0x0001, security: "s0", userCodeVersion: 1, supervision: false, reportsRfWrites: false },
  },
];
