// The whole driver contract (test/support/contract-suite.ts) on every Zigbee lock model of the catalogue
// (drivers/sim/profiles/zigbee.ts, protocol.md §9): each model's six locks on a network of their own.
import { ZIGBEE_PROFILES } from "../../drivers/sim/profiles/zigbee.js";
import { profileVariant } from "../support/contract-variants.js";
import { contractSuite } from "../support/contract-suite.js";
import { zigbeeHarness } from "../support/driver-harness.js";

for (const profile of ZIGBEE_PROFILES) contractSuite(zigbeeHarness, profile.profile, () => profileVariant(zigbeeHarness, profile));
