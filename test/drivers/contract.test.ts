// The driver contract (test/support/contract-suite.ts) on each radio's default simulated locks.
import { defaultVariant } from "../support/contract-variants.js";
import { contractSuite } from "../support/contract-suite.js";
import { zigbeeHarness, zwaveHarness } from "../support/driver-harness.js";

for (const harness of [zwaveHarness, zigbeeHarness]) contractSuite(harness, "default", async () => defaultVariant(harness));
