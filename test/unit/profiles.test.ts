// The lock model catalogue (drivers/sim/profiles, protocol.md §9): enough models of both radios, every
// Z-Wave profile's ids select the model's own zwave-js device file, and the device type follows the
// brand whatever company the radio names.
import { ConfigManager } from "@zwave-js/config";
import { describe, expect, it } from "vitest";
import { deviceType } from "../../agent/api/shape.js";
import { LOCK_PROFILES, profileSummaries, withProfileDefaults } from "../../drivers/sim/profiles/index.js";
import { ZIGBEE_PROFILES } from "../../drivers/sim/profiles/zigbee.js";
import { ZWAVE_PROFILES } from "../../drivers/sim/profiles/zwave.js";
import { lockRecord } from "../support/records.js";

const BRAND_TYPE: Record<string, string> = {
  Schlage: "schlage_lock",
  Kwikset: "kwikset_lock",
  Yale: "yale_lock",
  Ultraloq: "ultraloq_lock",
};

describe("lock model profiles", () => {
  it("at least six Z-Wave and three Zigbee models, each named once", () => {
    expect(ZWAVE_PROFILES.length).toBeGreaterThanOrEqual(6);
    expect(ZIGBEE_PROFILES.length).toBeGreaterThanOrEqual(3);
    const names = LOCK_PROFILES.map((p) => p.profile);
    expect(new Set(names).size).toBe(names.length);
    expect(profileSummaries()).toContainEqual({ profile: "schlage_be469zp", protocol: "zwave", manufacturer: "Schlage", model: "BE469ZP" });
  });

  it.each(ZWAVE_PROFILES.map((p) => [p.profile, p] as const))("%s: its ids select the model's zwave-js device file", async (_name, profile) => {
    const configs = new ConfigManager();
    await configs.loadAll();
    const { manufacturerId, productType, productId } = profile.zwave;
    const device = await configs.lookupDevice(manufacturerId, productType, productId);
    expect(device, "no device file for these ids").toBeDefined();
    // The device file names the model (Yale files carry the module suffix, e.g. YRD256-ZW3).
    const label = (device?.label ?? "").toUpperCase().replace(/[^A-Z0-9]/g, "");
    const model = profile.model.toUpperCase().replace(/\s*\(.*\)$/, "").replace(/[^A-Z0-9]/g, "");
    expect(label).toContain(model.replace(/ZWAVE$/, ""));
    // What the radio then reports as manufacturer still maps to the brand's Seam device type.
    const reported = device?.manufacturer ?? configs.lookupManufacturer(manufacturerId) ?? "";
    const expected = BRAND_TYPE[profile.manufacturer] ?? "smartthings_lock";
    expect(deviceType(lockRecord({ manufacturer: reported }))).toBe(expected);
  });

  it("the parent company or another brand of the maker maps to the brand's Seam device type", () => {
    for (const [manufacturer, type] of [
      ["Allegion", "schlage_lock"],
      ["ASSA ABLOY", "yale_lock"],
      ["Weiser", "kwikset_lock"],
      ["U-Tec Group", "ultraloq_lock"],
      ["Onesti Products AS", "smartthings_lock"],
    ] as const) {
      expect(deviceType(lockRecord({ manufacturer })), manufacturer).toBe(type);
    }
  });

  it("a lock entry's own keys override its profile's defaults; a profile of the other radio is refused", () => {
    expect(withProfileDefaults("zigbee", "nimly_pro_zigbee", { slots: 20, masked_readback: undefined })).toMatchObject({ slots: 20, masked_readback: false, code_lengths: [4, 5, 6, 7, 8] });
    expect(() => withProfileDefaults("zigbee", "kwikset_910", {})).toThrow(/"kwikset_910" is a zwave profile; known zigbee profiles: yale_yrd226_zigbee/);
  });
});
