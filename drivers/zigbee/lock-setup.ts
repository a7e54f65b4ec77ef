// First contact with a lock after it joined: find its Door Lock endpoint, read what it can hold, and ask
// it to tell the coordinator about changes. Runs once per join; the result is kept in the profile store.
import type { Models } from "zigbee-herdsman";
import type { DriverLogger, LockCapabilities } from "../contract.js";
import { numericAttribute } from "./decode.js";
import {
  ALARMS,
  CAPABILITY_ATTRIBUTES,
  DOOR_LOCK,
  OPTIONAL_CAPABILITY_ATTRIBUTES,
  PIN_CHARSET,
  POWER_CFG,
  batteryPercent,
  codeLengthsFrom,
} from "./door-lock.js";
import type { LockProfile } from "./profile-store.js";
import { zclStatusName } from "./radio-errors.js";

type Attributes = Record<string, number | undefined>;

/** Some locks (Nimly/Onesti) put the Door Lock cluster on endpoint 11, not 1: search, never assume. */
export function findDoorLockEndpoint(device: Models.Device): Models.Endpoint | undefined {
  return device.endpoints.find((ep) => ep.supportsInputCluster(DOOR_LOCK));
}

function pick(data: unknown, names: readonly string[]): Attributes {
  return Object.fromEntries(names.map((n) => [n, numericAttribute(data, n)]));
}

/**
 * Herdsman's read fails as a whole when one attribute is unsupported, so everything is asked in one frame
 * (the common case) and only on UNSUPPORTED_ATTRIBUTE does the driver fall back to the mandatory set plus
 * each optional attribute on its own.
 */
async function readCapabilityAttributes(ep: Models.Endpoint, timeout: number): Promise<Attributes> {
  const options = { timeout, disableRecovery: true, sendPolicy: "immediate" } as const;
  const all = [...CAPABILITY_ATTRIBUTES, ...OPTIONAL_CAPABILITY_ATTRIBUTES];
  try {
    return pick(await ep.read(DOOR_LOCK, all, options), all);
  } catch (error) {
    if (zclStatusName(error) === null) throw error;
  }
  const attributes = pick(await ep.read(DOOR_LOCK, [...CAPABILITY_ATTRIBUTES], options), CAPABILITY_ATTRIBUTES);
  for (const name of OPTIONAL_CAPABILITY_ATTRIBUTES) {
    try {
      attributes[name] = numericAttribute(await ep.read(DOOR_LOCK, [name], options), name);
    } catch (error) {
      if (zclStatusName(error) === null) throw error;
    }
  }
  return attributes;
}

/**
 * Capabilities from the lock's own attributes. User id 0 is left alone (a master code on several locks),
 * so slots are user ids 1..numOfPinUsersSupported-1 and the slot number stays the lock's user id.
 */
export function capabilitiesFrom(attributes: Attributes): { capabilities: LockCapabilities; masked: boolean } {
  const users = attributes["numOfPinUsersSupported"] ?? 0;
  // sendPinOta is optional; a lock that does not report it is assumed to send digits until it shows otherwise.
  const masked = attributes["sendPinOta"] === 0;
  return {
    masked,
    capabilities: {
      slotCount: Math.max(0, users - 1),
      codeLengths: codeLengthsFrom(attributes["minPinLen"], attributes["maxPinLen"]),
      charset: PIN_CHARSET,
      supportsChecksum: false,
      supportsNativeSchedule: (attributes["numOfYearDaySchedulesSupportedPerUser"] ?? 0) > 0,
      readback: masked ? "status_only" : "digits",
    },
  };
}

export interface DiscoverContext {
  readonly device: Models.Device;
  readonly endpoint: Models.Endpoint;
  readonly coordinatorEndpoint: Models.Endpoint | undefined;
  readonly timeoutMs: number;
  readonly logger: DriverLogger;
  readonly radioId: string;
}

/** Reads capabilities (required) and battery, then sets up reporting (best effort). */
export async function discoverLock(ctx: DiscoverContext): Promise<LockProfile> {
  const attributes = await readCapabilityAttributes(ctx.endpoint, ctx.timeoutMs);
  const { capabilities, masked } = capabilitiesFrom(attributes);
  const powerEp = ctx.device.endpoints.find((ep) => ep.supportsInputCluster(POWER_CFG));
  let battery: number | null = null;
  if (powerEp) {
    try {
      const data = await powerEp.read(POWER_CFG, ["batteryPercentageRemaining"], { timeout: ctx.timeoutMs, disableRecovery: true });
      battery = batteryPercent(numericAttribute(data, "batteryPercentageRemaining") ?? Number.NaN);
    } catch {
      ctx.logger.debug({ radioId: ctx.radioId }, "battery level not readable");
    }
  }
  await configureReporting(ctx, powerEp);
  return {
    endpoint: ctx.endpoint.ID,
    capabilities,
    readbackLimit: masked ? "send_pin_ota_off" : null,
    battery,
    readbackProven: false,
    // A lock set up now holds no schedule of the hub's yet (profile-store.ts).
    hubSchedules: [],
    ...(attributes["requirePinForRfOperation"] === 1 ? { rfNeedsPin: true } : {}),
  };
}

/**
 * Many locks only send notifications, alarms and battery reports to a bound coordinator. Failures are
 * logged, not fatal: locks that report without bindings still work.
 */
async function configureReporting(ctx: DiscoverContext, powerEp: Models.Endpoint | undefined): Promise<void> {
  const target = ctx.coordinatorEndpoint;
  if (!target) return;
  const options = { timeout: ctx.timeoutMs, disableRecovery: true } as const;
  try {
    await ctx.endpoint.bind(DOOR_LOCK, target);
    if (ctx.endpoint.supportsInputCluster(ALARMS)) await ctx.endpoint.bind(ALARMS, target);
    await ctx.endpoint.configureReporting(
      DOOR_LOCK,
      [{ attribute: "lockState", minimumReportInterval: 0, maximumReportInterval: 3600, reportableChange: 0 }],
      options,
    );
    if (powerEp) {
      await powerEp.bind(POWER_CFG, target);
      await powerEp.configureReporting(
        POWER_CFG,
        [{ attribute: "batteryPercentageRemaining", minimumReportInterval: 3600, maximumReportInterval: 43_200, reportableChange: 2 }],
        options,
      );
    }
  } catch (error) {
    ctx.logger.warn({ radioId: ctx.radioId, reason: zclStatusName(error) ?? "no answer" }, "lock reporting not configured");
  }
}
