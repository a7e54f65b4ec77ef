// The whole driver contract (test/support/contract-suite.ts) on every Z-Wave lock model of the catalogue
// (drivers/sim/profiles/zwave.ts, protocol.md §9): each model's six locks on a network of their own.
import { ZWAVE_PROFILES } from "../../drivers/sim/profiles/zwave.js";
import { profileVariant } from "../support/contract-variants.js";
import { contractSuite } from "../support/contract-suite.js";
import { zwaveHarness } from "../support/driver-harness.js";

for (const profile of ZWAVE_PROFILES) contractSuite(zwaveHarness, profile.profile, () => profileVariant(zwaveHarness, profile));
