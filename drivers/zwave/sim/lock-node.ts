// THE place where a simulated lock becomes a MockNode: its device class, radio (and its radio time),
// command classes (which of them only answer securely), security setup, bolt and door, and behaviours
// all follow from its spec here, for configured locks, factory-new ones joining at run time and the
// test TCP bridge's alike. Lock features (real lock profiles) add their capabilities and behaviours here.
import { CommandClasses, SecurityClass, SecurityManager2 } from "@zwave-js/core";
import { MockNode, ccCaps, type MockController, type PartialCCCapabilities } from "@zwave-js/testing";
import { KeypadMode, UserIDStatus } from "zwave-js";
import { createDefaultMockNodeBehaviors } from "zwave-js/Testing";
import type { SimulatedLockConfig } from "../../contract.js";
import { zwaveProfile } from "../../sim/profiles/index.js";
import type { ZWaveModelFacts } from "../../sim/profiles/types.js";
import { ACCESS_CONTROL, AccessControlEvent, HOME_SECURITY, HomeSecurityEvent, POWER_MANAGEMENT, PowerManagementEvent } from "../notifications.js";
import { createDoorLockBehaviors, ZWaveSimDoor } from "./door-lock-behaviors.js";
import { createLockBehaviors } from "./mock-behaviors.js";
import { createUserCodeBehaviors } from "./user-code-behaviors.js";
import type { ZWaveRadioTime } from "./radio-time.js";
import { createKeyExchangeBehaviors } from "./s2-join-behaviors.js";
import type { SimLock } from "./sim-lock.js";

export type SimSecurity = "s2" | "s0" | "none";

/** A simulated Z-Wave lock: the radio-neutral config plus how it secures itself. */
export interface SimLockSpec extends SimulatedLockConfig {
  /** "s2": S2 Access Control (as real keypad locks); "s0": a legacy S0-only lock; "none": no security at all. */
  readonly security: SimSecurity;
  /** The lock announces itself for SmartStart inclusion while it is powered and not in a network. */
  readonly smartStart: boolean;
  /**
   * User Code CC version; default the lock model's (profile), else 2. A v1 lock is of the generation before
   * Z-Wave Plus v2: no checksum, no Supervision (every Set is confirmed by reading it back).
   */
  readonly userCodeVersion?: 1 | 2;
}

/** The real lock model a simulated lock is (drivers/sim/profiles), if any. */
export function lockModel(spec: SimulatedLockConfig): ZWaveModelFacts | undefined {
  return zwaveProfile(spec.profile)?.zwave;
}

/** How a configured lock secures itself: as its model does, else S2 Access Control (as real keypad locks). */
export function configuredSecurity(spec: SimulatedLockConfig): SimSecurity {
  return lockModel(spec)?.security ?? "s2";
}

/**
 * Bumped when the simulated node's shape changes (command classes, security), so zwave-js caches of
 * older simulated nodes are dropped: 2 added Door Lock and the notifications of protocol.md §8, 3 made
 * the locks S2 secured, 5 made models that report by Alarm list Notification CC version 1.
 */
export const SIMULATED_NODE_REVISION = 5;

/** Entry Control / Secure Keypad Door Lock. */
export const LOCK_DEVICE_CLASS = { basic: 0x04, generic: 0x40, specific: 0x03 } as const;

/** The classes a factory-new lock asks for in its key exchange. */
export function requestedSecurityClasses(security: SimSecurity): SecurityClass[] {
  if (security === "s2") return [SecurityClass.S2_AccessControl];
  if (security === "s0") return [SecurityClass.S0_Legacy];
  return [];
}

/** The command classes the lock implements; application CCs answer only encrypted on a secure lock. */
export function lockCommandClasses(spec: SimLockSpec): PartialCCCapabilities[] {
  const secure = spec.security !== "none";
  const model = lockModel(spec);
  const v1 = (spec.userCodeVersion ?? model?.userCodeVersion) === 1;
  // A model lists Supervision as it does; a device file may still take it away (compat.removeCCs).
  const supervision = model ? model.supervision : !v1;
  const ccs: PartialCCCapabilities[] = [
    ccCaps({
      ccId: CommandClasses["User Code"],
      isSupported: true,
      secure,
      version: v1 ? 1 : 2,
      numUsers: spec.slots,
      supportsUserCodeChecksum: spec.checksum && !v1,
      supportedASCIIChars: "0123456789",
      // No admin code: its interview queries would only add radio traffic.
      supportsAdminCode: false,
      supportsAdminCodeDeactivation: false,
      supportedKeypadModes: [KeypadMode.Normal],
      supportedUserIDStatuses: [UserIDStatus.Available, UserIDStatus.Enabled, UserIDStatus.Disabled],
    }),
    notificationCaps(secure, model?.alarmReports !== undefined),
    ccCaps({ ccId: CommandClasses["Door Lock"], isSupported: true, secure, version: 4 }),
  ];
  // Without Supervision every secure Set waits ~500 ms for S2's delivery check (../../../../shared/notes/zwave-js.md).
  if (supervision) ccs.push({ ccId: CommandClasses.Supervision, isSupported: true, version: 1 });
  // Real locks answer Version CC; without it zwave-js assumes the highest version it implements of every
  // CC, and a User Code v1 lock would be interviewed and written as v2.
  ccs.push({ ccId: CommandClasses.Version, isSupported: true, version: 3 });
  // A model's ids reach zwave-js through Manufacturer Specific (unencrypted, as on the ID Lock 150 of HA's fixture).
  if (model) ccs.push({ ccId: CommandClasses["Manufacturer Specific"], isSupported: true, version: 2 });
  if (spec.security === "s2") ccs.push({ ccId: CommandClasses["Security 2"], isSupported: true, version: 1 });
  if (spec.security === "s0") ccs.push({ ccId: CommandClasses.Security, isSupported: true, version: 1 });
  if (spec.battery !== false) ccs.push({ ccId: CommandClasses.Battery, isSupported: true, secure, version: 1 });
  if (spec.native_scheduling) {
    ccs.push(
      ccCaps({
        ccId: CommandClasses["Schedule Entry Lock"],
        isSupported: true,
        secure,
        version: 3,
        numWeekDaySlots: 0,
        numYearDaySlots: 1,
        numDailyRepeatingSlots: 0,
      }),
    );
  }
  return ccs;
}

/**
 * Notification CC as the lock implements it: version 8 with the events of protocol.md §8, or, for a model
 * that reports by Alarm, version 1 (zwave-js maps a device file's alarm types only for version 1 nodes).
 */
function notificationCaps(secure: boolean, reportsByAlarm: boolean): PartialCCCapabilities {
  if (reportsByAlarm) return { ccId: CommandClasses.Notification, isSupported: true, secure, version: 1 };
  return ccCaps({
    ccId: CommandClasses.Notification,
    isSupported: true,
    secure,
    version: 8,
    supportsV1Alarm: false,
    notificationTypesAndEvents: {
      [ACCESS_CONTROL]: Object.values(AccessControlEvent),
      [HOME_SECURITY]: Object.values(HomeSecurityEvent),
      [POWER_MANAGEMENT]: Object.values(PowerManagementEvent),
    },
  });
}

export interface LockNodeOptions {
  readonly nodeId: number;
  /** Airtime and wake-up beams of the network the node is on; it follows the model as it changes. */
  readonly radioTime: ZWaveRadioTime;
  /**
   * true: a lock that is not (yet) bootstrapped holds no network key and must be given them by the
   * key exchange; false: a member of the network that holds the keys of `lock.granted`.
   */
  readonly factoryNew: boolean;
}

/**
 * Builds the MockNode of a simulated lock (not yet added to the controller): capabilities from its spec,
 * its radio time, its memory and its bolt and door restored, zwave-js's default behaviours plus ours.
 */
export async function createLockNode(controller: MockController, lock: SimLock, options: LockNodeOptions): Promise<MockNode> {
  const spec = lock.spec;
  // A member that was never given a key (its bootstrap failed, or the hub died during it) holds none, like a
  // factory-new lock. It still needs its (empty) S2 manager: zwave-js's mock stops delivering frames to EVERY
  // node once a node without one is sent an encrypted frame (test/drivers/zwave-mock-quirks.test.ts).
  const holdsNoKeys = options.factoryNew || (lock.granted.length === 0 && spec.security !== "none");
  const battery = spec.battery !== false;
  const model = lockModel(spec);
  const node = await MockNode.create({
    id: options.nodeId,
    controller,
    capabilities: {
      // A model's Manufacturer Specific ids make zwave-js load its device file and compat flags.
      ...(model ? { manufacturerId: model.manufacturerId, productType: model.productType, productId: model.productId } : {}),
      genericDeviceClass: LOCK_DEVICE_CLASS.generic,
      specificDeviceClass: LOCK_DEVICE_CLASS.specific,
      isListening: !battery,
      // Battery locks are FLiRS: woken by a beam, so zwave-js treats them as always reachable.
      isFrequentListening: battery ? "1000ms" : false,
      // MockNode copies the controller's keys for these classes at creation.
      securityClasses: new Set(holdsNoKeys ? requestedSecurityClasses(spec.security) : lock.granted),
      commandClasses: lockCommandClasses(spec),
    },
  });
  // The DSK on the label stays the same across restarts.
  if (lock.keyPair) node.ecdhKeyPair = lock.keyPair;
  if (holdsNoKeys) await forgetNetworkKeys(node, controller.ownNodeId);
  options.radioTime.nodeCreated(node, { joining: options.factoryNew });
  lock.memory.applyTo(node.state);
  lock.mockNode = node;
  lock.door?.dispose();
  lock.door = new ZWaveSimDoor(lock);
  lock.applyLinkState();
  // defineBehavior puts its arguments IN FRONT: the last defined sees a frame first. The lock's silence
  // and faults must come before the door, and the door before zwave-js's defaults.
  node.defineBehavior(...createDefaultMockNodeBehaviors());
  node.defineBehavior(...createDoorLockBehaviors(lock.door));
  node.defineBehavior(...createUserCodeBehaviors(lock));
  node.defineBehavior(...createLockBehaviors(lock));
  if (spec.security === "s2") node.defineBehavior(...createKeyExchangeBehaviors());
  return node;
}

/** createLockNode, and the node put on the controller's air at once (a member of the network). */
export async function addLockNode(controller: MockController, lock: SimLock, options: LockNodeOptions): Promise<MockNode> {
  const node = await createLockNode(controller, lock, options);
  controller.addNode(node);
  return node;
}

/** A factory-new lock knows no network key: only the key exchange can give it one. */
async function forgetNetworkKeys(node: MockNode, controllerNodeId: number): Promise<void> {
  const hadS2 = node.securityManagers.securityManager2 !== undefined;
  node.securityManagers = {
    securityManager: undefined,
    securityManager2: hadS2 ? await SecurityManager2.create() : undefined,
    securityManagerLR: undefined,
  };
  // Only the classes a key exchange can grant are "not shared"; marking every class false would make the
  // controller "known insecure", and the lock could not decode the controller's encrypted key exchange.
  const exchangeable = hadS2 ? [SecurityClass.S2_AccessControl, SecurityClass.S2_Authenticated, SecurityClass.S2_Unauthenticated] : [SecurityClass.S0_Legacy];
  for (const securityClass of exchangeable) node.encodingContext.setSecurityClass(controllerNodeId, securityClass, false);
}

/** The CCs a lock lists in its node information frame (as zwave-js's own mock inclusion does). */
export function nodeInfoCCs(node: MockNode): CommandClasses[] {
  return [...node.implementedCCs].filter(([, info]) => info.isSupported && info.version > 0).map(([cc]) => cc);
}
