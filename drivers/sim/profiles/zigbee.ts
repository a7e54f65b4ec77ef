// Zigbee lock models the simulation can be (protocol.md §9): the genBasic identity zigbee-herdsman-
// converters matches its definitions on, the Door Lock endpoint, slot counts and quirks. Every fact and
// its source: docs/locks.md.
import type { ZigbeeLockProfile } from "./types.js";

/** ZCL manufacturer codes (zigbee-herdsman Zcl.ManufacturerCode). */
const ASSA_ABLOY = 0x101d;
const SCHLAGE_LOCK_ALLEGION = 0x1236;
/** Kwikset (Spectrum Brands) and Onesti have no code of their own in herdsman's table: the Ember (Silicon Labs) stack default. */
const EMBER = 0x1002;

export const ZIGBEE_PROFILES: readonly ZigbeeLockProfile[] = [
  {
    profile: "yale_yrd226_zigbee",
    protocol: "zigbee",
    manufacturer: "Yale",
    model: "YRD226 TSDB",
    defaults: { slots: 249, code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: true, masked_readback: false, battery: true, multi_code: false },
    zigbee: { manufacturerName: "Yale", modelId: "YRD226 TSDB", manufacturerCode: ASSA_ABLOY, doorLockEndpoint: 1, programmingEventOnRfChange: true, duplicateReport: "alarm" },
  },
  {
    profile: "kwikset_910_zigbee",
    protocol: "zigbee",
    manufacturer: "Kwikset",
    model: "SMARTCODE_DEADBOLT_5",
    defaults: { slots: 29, code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zigbee: { manufacturerName: "Kwikset", modelId: "SMARTCODE_DEADBOLT_5", manufacturerCode: EMBER, doorLockEndpoint: 2, programmingEventOnRfChange: true, duplicateReport: "status" },
  },
  {
    profile: "schlage_be468_zigbee",
    protocol: "zigbee",
    manufacturer: "Schlage",
    model: "BE468",
    defaults: { slots: 29, code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: false, masked_readback: true, battery: true, multi_code: false },
    zigbee: { manufacturerName: "Schlage", modelId: "BE468", manufacturerCode: SCHLAGE_LOCK_ALLEGION, doorLockEndpoint: 1, programmingEventOnRfChange: true, duplicateReport: "status" },
  },
  {
    profile: "nimly_pro_zigbee",
    protocol: "zigbee",
    manufacturer: "Onesti Products AS",
    model: "NimlyPRO",
    defaults: { slots: 999, code_lengths: [4, 5, 6, 7, 8], checksum: false, native_scheduling: false, masked_readback: false, battery: true, multi_code: false },
    zigbee: { manufacturerName: "Onesti Products AS", modelId: "NimlyPRO", manufacturerCode: EMBER, doorLockEndpoint: 11, programmingEventOnRfChange: false, duplicateReport: "status" },
  },
];
