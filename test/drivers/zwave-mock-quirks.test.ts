// Issue 13: the zwave-js 15.29 behaviours the pairing code works around, each pinned, so an upgrade that
// fixes (or changes) one of them fails here and the workaround can be revisited:
// - MockNode.dsk / s2Pin take the public key one byte off          -> sim: DSK = publicKey[0..16)
// - the default mock's AddNode(Stop) while idle starts an inclusion  -> sim/inclusion-controller.ts
// - SmartStart listening is a classic inclusion in the default mock  -> lock handed over on the DSK request only
// - SmartStartHomeIDReceived cannot be serialised (prime frame)      -> raw frame
// - exclusion and the failed-node functions are missing / unparseable -> raw callbacks + supportedFunctionTypes
// - a wrong PIN leaves a KEX waiter open for 240 s                   -> endStaleKeyExchangeWaits
// - a failed S2 bootstrap leaves a node that is never interviewed    -> the pairing fails at "node added"
// - destroy() with SmartStart enabled loops forever                   -> stopSmartStartBeforeDestroy
// - one undecodable frame (an encrypted one to a node without an S2 manager) stops the mock's air for
//   every node                                                        -> keyless locks keep an empty S2 manager
// (@zwave-js/serial is zwave-js's own dependency, same version; imported here only to show the quirks.)
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CommandClasses, InterviewStage, SecurityClass, dskToString } from "@zwave-js/core";
import { MessageOrigin } from "@zwave-js/serial";
import { ApplicationUpdateRequestSmartStartHomeIDReceived } from "@zwave-js/serial/serialapi";
import { MockController, MockNode, MockZWaveFrameType, createMockZWaveRequestFrame, getDefaultSupportedFunctionTypes } from "@zwave-js/testing";
import { afterEach, describe, expect, it } from "vitest";
import { FunctionType, InclusionStrategy, Message, NoOperationCC, type Driver, type InclusionResult, type ZWaveNode } from "zwave-js";
import { createAndStartDriverWithMockPort, createDefaultMockControllerBehaviors, createDefaultMockNodeBehaviors } from "zwave-js/Testing";
import { AddNodeMode, requestFrame } from "../../drivers/zwave/sim/serial-frames.js";
import { endStaleKeyExchangeWaits, staleKeyExchangeWaits, stopSmartStartBeforeDestroy } from "../../drivers/zwave/zwave-js-quirks.js";
import { smartStartQrCode } from "../../drivers/zwave/sim/qr-code.js";
import { simulatedZWave, tempDataDir } from "../support/zwave-harness.js";

/** zwave-js's mock controller state: the inclusion state key and its values (MockControllerState.ts). */
const INCLUSION_STATE = "inclusionState";
const ADDING_NODE = 1;
const REMOVING_NODE = 2;

const KEYS = {
  S2_AccessControl: Uint8Array.from(Buffer.from("0102030405060708090a0b0c0d0e0f10", "hex")),
  S2_Authenticated: Uint8Array.from(Buffer.from("1102030405060708090a0b0c0d0e0f10", "hex")),
  S2_Unauthenticated: Uint8Array.from(Buffer.from("2102030405060708090a0b0c0d0e0f10", "hex")),
  S0_Legacy: Uint8Array.from(Buffer.from("3102030405060708090a0b0c0d0e0f10", "hex")),
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** The real driver on zwave-js's mock controller with ONLY zwave-js's default behaviours (none of ours). */
async function plainMockNetwork(): Promise<{ driver: Driver; controller: MockController }> {
  const dir = await mkdtemp(path.join(tmpdir(), "lockbridge-quirks-"));
  const { driver, continueStartup, mockPort, serial } = await createAndStartDriverWithMockPort({
    logConfig: { enabled: false },
    storage: { cacheDir: dir },
    securityKeys: KEYS,
  });
  // Past the controller's own interview: destroying the driver in the middle of it hangs.
  const ready = new Promise<void>((resolve) => driver.once("all nodes ready", () => resolve()));
  const controller = await MockController.create({ mockPort, serial, homeId: 0x1234abcd, ownNodeId: 1, securityKeys: KEYS });
  controller.defineBehavior(...createDefaultMockControllerBehaviors());
  continueStartup();
  await ready;
  cleanups.push(async () => {
    await stopSmartStartBeforeDestroy(driver);
    await driver.destroy();
    controller.destroy();
    await rm(dir, { recursive: true, force: true });
  });
  return { driver, controller };
}

const basicNode = (id: number) => ({ id, capabilities: { commandClasses: [CommandClasses.Basic] } });

function nodeAdded(driver: Driver): Promise<{ node: ZWaveNode; result: InclusionResult }> {
  return new Promise((resolve) => driver.controller.once("node added", (node, result) => resolve({ node, result })));
}

describe("zwave-js 15.29 mock quirks the simulation works around", () => {
  it("MockNode.dsk and s2Pin are taken from the public key one byte off", async () => {
    const { controller } = await plainMockNetwork();
    const node = await MockNode.create({ id: 9, controller, capabilities: { securityClasses: new Set([SecurityClass.S2_AccessControl]) } });
    const real = dskToString(node.ecdhKeyPair.publicKey.slice(0, 16));
    expect(node.dsk).not.toBe(real);
    expect(node.dsk).toBe(dskToString(node.ecdhKeyPair.publicKey.slice(1, 17)));
    expect(node.s2Pin).not.toBe(real.slice(0, 5));
  });

  it("the default mock controller takes AddNode(Stop) while idle as a new inclusion, so the next one never finds its node", async () => {
    const { driver, controller } = await plainMockNetwork();
    controller.nodePendingInclusion = basicNode(2);
    const added = nodeAdded(driver);
    await driver.controller.beginInclusion({ strategy: InclusionStrategy.Insecure });
    expect((await added).node.id).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // zwave-js's final AddNode(Stop, no callback) put the idle mock back into "adding".
    expect(controller.state.get(INCLUSION_STATE)).toBe(ADDING_NODE);
    controller.nodePendingInclusion = basicNode(3);
    let found = false;
    driver.controller.once("node found", () => (found = true));
    await driver.controller.beginInclusion({ strategy: InclusionStrategy.Insecure });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(found).toBe(false);
    expect(controller.nodes.has(3)).toBe(false);
    await driver.controller.stopInclusion();
  });

  it("the default mock controller treats SmartStart listening as an inclusion of whatever node is pending", async () => {
    const { driver, controller } = await plainMockNetwork();
    controller.nodePendingInclusion = basicNode(4);
    const dsk = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const qr = smartStartQrCode({ dsk, requested: [SecurityClass.S2_AccessControl], genericDeviceClass: 0x40, specificDeviceClass: 3, installerIconType: 0x300, manufacturerId: 1, productType: 1, productId: 1, applicationVersion: [1, 0] });
    const { parseQRCodeString } = await import("@zwave-js/core");
    const info = await parseQRCodeString(qr);
    driver.controller.provisionSmartStartNode({ ...info, securityClasses: info.requestedSecurityClasses });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(controller.state.get(INCLUSION_STATE)).toBe(ADDING_NODE);
    // The pending node was pushed into the network without anyone pressing anything (no SmartStart DSK request).
    expect(controller.nodes.has(4)).toBe(true);
  });

  it("SmartStartHomeIDReceived cannot be serialised, and a parsed Add Node request drops the NWI home id", async () => {
    const prime = new ApplicationUpdateRequestSmartStartHomeIDReceived({
      remoteNodeId: 0,
      nwiHomeId: Uint8Array.of(0xd1, 2, 3, 4),
      basicDeviceClass: 4,
      genericDeviceClass: 0x40,
      specificDeviceClass: 3,
      supportedCCs: [CommandClasses["Security 2"]],
    });
    const bytes = await prime.serialize({ nodeIdType: 1 } as never);
    // SOF, length, type, function, the update type ... and nothing of the NWI home id or the CCs.
    expect(bytes.length).toBe(6);
    const dskRequest = requestFrame(FunctionType.AddNodeToNetwork, [AddNodeMode.SmartStartDSK, 7, 1, 2, 3, 4, 5, 6, 7, 8]);
    const parsed = Message.parse(dskRequest, { origin: MessageOrigin.Host } as never);
    expect(parsed.payload.length).toBe(0);
  });

  it("the default mock lacks the failed-node functions, cannot parse Replace Failed Node, and exclusion only says ready", async () => {
    const defaults = getDefaultSupportedFunctionTypes();
    for (const fn of [FunctionType.RemoveFailedNode, FunctionType.IsFailedNode, FunctionType.ReplaceFailedNode]) expect(defaults).not.toContain(fn);
    expect(() => Message.parse(requestFrame(FunctionType.ReplaceFailedNode, [2, 7]), { origin: MessageOrigin.Host } as never)).toThrow(RangeError);
    const { driver, controller } = await plainMockNetwork();
    expect(await driver.controller.beginExclusion()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(controller.state.get(INCLUSION_STATE)).toBe(REMOVING_NODE);
    await driver.controller.stopExclusion();
  });

  it("a wrong PIN leaves a KEX waiter open and a never-interviewed node; the workaround ends the waiter", async () => {
    const data = await tempDataDir();
    const net = simulatedZWave(data.dir, []);
    cleanups.push(async () => {
      await net.driver.stop();
      await data.cleanup();
    });
    await net.driver.start();
    const label = await net.simulation.pairingSimulator.newLock({ protocol: "zwave", name: "Quirk", slots: 2 });
    const zwave = net.simulation.driver();
    const added = nodeAdded(zwave);
    // zwave-js directly, without the pairing layer's workaround.
    await zwave.controller.beginInclusion({
      strategy: InclusionStrategy.Security_S2,
      userCallbacks: {
        grantSecurityClasses: async (requested) => requested,
        validateDSKAndEnterPIN: async () => String((Number(label.pin) + 1) % 100_000).padStart(5, "0"),
        abort: () => undefined,
      },
    });
    await net.simulation.pairingSimulator.pressButton({ simId: label.simId });
    const { node, result } = await added;
    expect(result).toMatchObject({ lowSecurity: true });
    expect(staleKeyExchangeWaits(zwave, node.id)).toBeGreaterThanOrEqual(1);
    expect(endStaleKeyExchangeWaits(zwave, node.id)).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(staleKeyExchangeWaits(zwave, node.id)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(node.ready).toBe(false);
    expect(node.interviewStage).toBe(InterviewStage.None);
  });

  it("destroy() right after an exclusion with SmartStart entries loops without yielding; switching SmartStart off ends it", async () => {
    const { driver } = await plainMockNetwork();
    const { parseQRCodeString } = await import("@zwave-js/core");
    const dsk = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
    const qr = smartStartQrCode({ dsk, requested: [SecurityClass.S2_AccessControl], genericDeviceClass: 0x40, specificDeviceClass: 3, installerIconType: 0x300, manufacturerId: 1, productType: 1, productId: 1, applicationVersion: [1, 0] });
    const info = await parseQRCodeString(qr);
    driver.controller.provisionSmartStartNode({ ...info, securityClasses: info.requestedSecurityClasses });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await driver.controller.beginExclusion();
    await new Promise((resolve) => setTimeout(resolve, 300));
    let flips = 0;
    driver.controller.on("inclusion state changed", () => {
      // Unbounded, this never ends and starves every timer: break it from inside after 500 flips.
      if (++flips === 500) void stopSmartStartBeforeDestroy(driver);
    });
    // Back to idle re-enables SmartStart listening; destroying while that request is under way starts the loop.
    await driver.controller.stopExclusion();
    await driver.destroy();
    expect(flips).toBeGreaterThanOrEqual(500);
  });

  it("one frame the mock cannot decode stops its air: no node hears anything afterwards", async () => {
    const { controller } = await plainMockNetwork();
    const [a, b] = await Promise.all([7, 8].map((id) => MockNode.create({ id, controller, capabilities: { commandClasses: [CommandClasses.Basic] } })));
    for (const node of [a!, b!]) {
      node.defineBehavior(...createDefaultMockNodeBehaviors());
      controller.addNode(node);
    }
    const heard = b!.expectControllerFrame((f): f is typeof f => f.type === MockZWaveFrameType.Request, { timeout: 1_000 });
    // What the mock's SendData does with an encrypted frame for a node that has no S2 manager: the lazy
    // payload throws while the air delivers it.
    void controller.sendToNode(a!, createMockZWaveRequestFrame(async () => {
      throw new Error("no Security S2 manager");
    }, { ackRequested: false }));
    void controller.sendToNode(b!, createMockZWaveRequestFrame(new NoOperationCC({ nodeId: b!.id }), { ackRequested: false }));
    await expect(heard).rejects.toThrow();
  });
});
