// The simulated controller's network management: inclusion (classic and SmartStart), exclusion and
// the failed-node functions, as a Z-Wave controller does them, read and answered as raw Serial API
// frames (serial-frames.ts says why). It takes these functions over from zwave-js's mock controller
// behaviours, which 15.29 gets wrong for pairing (test/drivers/zwave-mock-quirks.test.ts):
// - AddNode(Stop) while idle starts a new inclusion there, so the second inclusion never finds its node;
//   here a Stop while idle only ends SmartStart listening.
// - SmartStart listening is an inclusion there (it would swallow any pending node); here a lock is handed
//   over only on the SmartStart DSK request whose NWI home id is its own, after it sent a prime frame.
// - Exclusion reports only "ready" there, and the failed-node functions are missing: here they report
//   every callback, and the controller lists them as supported (supportedFunctionTypes).
import { encodeNodeUpdatePayload, nwiHomeIdFromDSK, type CommandClasses } from "@zwave-js/core";
import type { MockController, MockControllerBehavior, MockNode } from "@zwave-js/testing";
import { FunctionType } from "zwave-js";
import { LOCK_DEVICE_CLASS, nodeInfoCCs } from "./lock-node.js";
import {
  AddNodeMode,
  AddNodeStatus,
  RemoveFailedNodeStatus,
  RemoveNodeMode,
  RemoveNodeStatus,
  ReplaceFailedNodeStatus,
  SMART_START_HOME_ID_RECEIVED,
  parseHostRequest,
  requestFrame,
  responseFrame,
} from "./serial-frames.js";
import type { SimLock } from "./sim-lock.js";

/** What the inclusion machinery needs from the simulated network. */
export interface InclusionHost {
  /** The MockNode of a lock joining under `nodeId`, holding no network key yet. */
  createJoiningNode(lock: SimLock, nodeId: number): Promise<MockNode>;
  allocateNodeId(): number;
  /** The lock is in the network now (protocol inclusion done; keys follow from the bootstrap). */
  joined(lock: SimLock, nodeId: number): void;
  /** The lock left the network (excluded, removed as failed, replaced). */
  left(lock: SimLock): void;
  lockAt(nodeId: number): SimLock | undefined;
  /** The lock not in the network whose DSK gives this NWI home id. */
  smartStartLock(nwiHomeId: Uint8Array): SimLock | undefined;
  /** The lock's DSK bytes (S2 locks only). */
  dskOf(lock: SimLock): Uint8Array<ArrayBuffer> | null;
  /** The SmartStart INIF's command classes. */
  announcedCCs(lock: SimLock): CommandClasses[];
}

type Mode =
  | { readonly kind: "idle" }
  | { readonly kind: "including"; readonly callbackId: number; joined: number | null; busy: boolean }
  | { readonly kind: "excluding"; readonly callbackId: number; busy: boolean }
  | { readonly kind: "replacing"; readonly callbackId: number; readonly nodeId: number; busy: boolean };

const IDLE: Mode = { kind: "idle" };
/** How long a SmartStart DSK request waits for its lock before the controller gives up. */
const SMART_START_NODE_WAIT_MS = 2_000;

/** Function types the simulated controller adds to zwave-js's default list. */
export const PAIRING_FUNCTION_TYPES: readonly FunctionType[] = [FunctionType.RemoveFailedNode, FunctionType.IsFailedNode, FunctionType.ReplaceFailedNode];

export class SimulatedInclusion {
  private mode: Mode = IDLE;
  /** The controller listens for SmartStart primes (zwave-js enables it while provisioning entries exist). */
  smartStartListening = false;
  /** Request frames sent to the host by the pairing functions, for the frame counts. */
  framesSent = 0;

  constructor(
    private readonly controller: MockController,
    private readonly host: InclusionHost,
  ) {}

  get state(): Mode["kind"] {
    return this.mode.kind;
  }

  /** Register AFTER zwave-js's default controller behaviours: the later definition runs first. */
  behavior(): MockControllerBehavior {
    return {
      onHostData: (_controller, data) => {
        const request = parseHostRequest(data);
        if (!request || !this.handles(request.functionType)) return false;
        this.controller.ackHostMessage();
        void this.handle(request.functionType, request.payload).catch(() => undefined);
        return true;
      },
    };
  }

  /** The lock's pairing button. */
  async pressButton(lock: SimLock): Promise<"joined" | "left" | "replaced" | "ignored"> {
    const mode = this.mode;
    if (mode.kind === "including" && !mode.busy && mode.joined === null && lock.nodeId === null) {
      mode.busy = true;
      await this.include(lock, mode);
      return "joined";
    }
    if (mode.kind === "excluding" && !mode.busy) {
      mode.busy = true;
      await this.exclude(lock, mode.callbackId);
      return "left";
    }
    if (mode.kind === "replacing" && !mode.busy && lock.nodeId === null) {
      mode.busy = true;
      await this.replace(lock, mode);
      return "replaced";
    }
    return "ignored";
  }

  /** A SmartStart lock announces itself; the host hears it only while the controller listens. */
  async prime(lock: SimLock): Promise<boolean> {
    const dsk = this.host.dskOf(lock);
    if (!this.smartStartListening || this.mode.kind !== "idle" || !dsk) return false;
    const ccs = this.host.announcedCCs(lock);
    await this.send(
      requestFrame(FunctionType.ApplicationUpdateRequest, [
        SMART_START_HOME_ID_RECEIVED,
        0x00, // remote node id: not in a network
        0x00, // rx status
        ...nwiHomeIdFromDSK(dsk),
        ccs.length,
        LOCK_DEVICE_CLASS.basic,
        LOCK_DEVICE_CLASS.generic,
        LOCK_DEVICE_CLASS.specific,
        ...ccs,
      ]),
    );
    return true;
  }

  // ---- host requests ----------------------------------------------------------------------------

  private handles(functionType: number): boolean {
    return (
      functionType === FunctionType.AddNodeToNetwork ||
      functionType === FunctionType.RemoveNodeFromNetwork ||
      functionType === FunctionType.RemoveFailedNode ||
      functionType === FunctionType.IsFailedNode ||
      functionType === FunctionType.ReplaceFailedNode
    );
  }

  private async handle(functionType: number, payload: Uint8Array): Promise<void> {
    switch (functionType) {
      case FunctionType.AddNodeToNetwork:
        return this.onAddNode(payload);
      case FunctionType.RemoveNodeFromNetwork:
        return this.onRemoveNode(payload);
      case FunctionType.IsFailedNode:
        return this.send(responseFrame(functionType, [this.isFailed(payload[0] ?? 0) ? 0x01 : 0x00]));
      case FunctionType.RemoveFailedNode:
        return this.onRemoveFailed(payload[0] ?? 0, payload[1] ?? 0);
      case FunctionType.ReplaceFailedNode:
        return this.onReplaceFailed(payload[0] ?? 0, payload[1] ?? 0);
    }
  }

  private async onAddNode(payload: Uint8Array): Promise<void> {
    const kind = (payload[0] ?? 0) & 0x0f;
    const callbackId = payload[1] ?? 0;
    const report = (status: number, ...rest: number[]) => (callbackId === 0 ? Promise.resolve() : this.addNodeStatus(callbackId, status, ...rest));
    if (kind === AddNodeMode.SmartStartListen) {
      this.smartStartListening = true;
      return;
    }
    if (kind === AddNodeMode.Stop) {
      const mode = this.mode;
      // Idle: the host only leaves SmartStart listening (zwave-js sends this after every inclusion).
      if (mode.kind === "idle") {
        this.smartStartListening = false;
        return;
      }
      if (mode.kind === "including" || mode.kind === "replacing") this.mode = IDLE;
      const joined = mode.kind === "including" ? mode.joined : null;
      // Done with the new node id, or 0 when nothing joined (a real controller's answer to a plain stop).
      return report(AddNodeStatus.Done, joined ?? 0);
    }
    this.smartStartListening = false;
    if (this.mode.kind !== "idle") return report(AddNodeStatus.Failed);
    const mode: Extract<Mode, { kind: "including" }> = { kind: "including", callbackId, joined: null, busy: false };
    this.mode = mode;
    await report(AddNodeStatus.Ready);
    if (kind !== AddNodeMode.SmartStartDSK) return;
    // The SmartStart lock whose prime the host answered: handed over now, and only now.
    const lock = this.host.smartStartLock(payload.subarray(2, 6));
    if (!lock) {
      await new Promise((resolve) => setTimeout(resolve, SMART_START_NODE_WAIT_MS).unref());
      if (this.mode === mode) this.mode = IDLE;
      return report(AddNodeStatus.Failed);
    }
    mode.busy = true;
    await this.include(lock, mode);
  }

  private async onRemoveNode(payload: Uint8Array): Promise<void> {
    const kind = (payload[0] ?? 0) & 0x0f;
    const callbackId = payload[1] ?? 0;
    const report = (status: number) => (callbackId === 0 ? Promise.resolve() : this.send(requestFrame(FunctionType.RemoveNodeFromNetwork, [callbackId, status])));
    if (kind === RemoveNodeMode.Stop) {
      if (this.mode.kind === "excluding") this.mode = IDLE;
      return report(RemoveNodeStatus.Done);
    }
    if (this.mode.kind !== "idle") return report(RemoveNodeStatus.Failed);
    this.smartStartListening = false;
    this.mode = { kind: "excluding", callbackId, busy: false };
    return report(RemoveNodeStatus.Ready);
  }

  private async onRemoveFailed(nodeId: number, callbackId: number): Promise<void> {
    if (!this.isFailed(nodeId) || this.mode.kind !== "idle") {
      // REMOVE_FAILED_NODE: "node not in the failed list"; the host stops there.
      await this.send(responseFrame(FunctionType.RemoveFailedNode, [0x08]));
      return;
    }
    await this.send(responseFrame(FunctionType.RemoveFailedNode, [0x00]));
    const lock = this.host.lockAt(nodeId);
    if (lock) this.takeOut(lock);
    await this.send(requestFrame(FunctionType.RemoveFailedNode, [callbackId, RemoveFailedNodeStatus.NodeRemoved]));
  }

  private async onReplaceFailed(nodeId: number, callbackId: number): Promise<void> {
    if (!this.isFailed(nodeId) || this.mode.kind !== "idle") {
      await this.send(responseFrame(FunctionType.ReplaceFailedNode, [0x08]));
      return;
    }
    await this.send(responseFrame(FunctionType.ReplaceFailedNode, [0x00]));
    this.smartStartListening = false;
    this.mode = { kind: "replacing", callbackId, nodeId, busy: false };
    await this.send(requestFrame(FunctionType.ReplaceFailedNode, [callbackId, ReplaceFailedNodeStatus.FailedNodeReplace]));
  }

  // ---- what the air does ------------------------------------------------------------------------

  private async include(lock: SimLock, mode: Extract<Mode, { kind: "including" }>): Promise<void> {
    const nodeId = this.host.allocateNodeId();
    const node = await this.host.createJoiningNode(lock, nodeId);
    const { callbackId } = mode;
    await this.addNodeStatus(callbackId, AddNodeStatus.NodeFound);
    const nodeInfo = encodeNodeUpdatePayload({
      nodeId,
      basicDeviceClass: LOCK_DEVICE_CLASS.basic,
      genericDeviceClass: LOCK_DEVICE_CLASS.generic,
      specificDeviceClass: LOCK_DEVICE_CLASS.specific,
      supportedCCs: nodeInfoCCs(node),
    });
    await this.addNodeStatus(callbackId, AddNodeStatus.AddingSlave, ...nodeInfo);
    this.controller.addNode(node);
    this.host.joined(lock, nodeId);
    mode.joined = nodeId;
    await this.addNodeStatus(callbackId, AddNodeStatus.ProtocolDone);
  }

  private async exclude(lock: SimLock, callbackId: number): Promise<void> {
    const send = (...payload: number[]) => this.send(requestFrame(FunctionType.RemoveNodeFromNetwork, [callbackId, ...payload]));
    await send(RemoveNodeStatus.NodeFound);
    // A lock from no network (or another one) is reset all the same; the host then removes no node.
    await send(RemoveNodeStatus.RemovingSlave, lock.nodeId ?? 0);
    this.takeOut(lock);
    await send(RemoveNodeStatus.Done);
  }

  private async replace(lock: SimLock, mode: Extract<Mode, { kind: "replacing" }>): Promise<void> {
    const old = this.host.lockAt(mode.nodeId);
    if (old) this.takeOut(old);
    const node = await this.host.createJoiningNode(lock, mode.nodeId);
    this.controller.addNode(node);
    this.host.joined(lock, mode.nodeId);
    this.mode = IDLE;
    await this.send(requestFrame(FunctionType.ReplaceFailedNode, [mode.callbackId, ReplaceFailedNodeStatus.FailedNodeReplaceDone]));
  }

  /** The lock leaves: its node goes from the controller's list. */
  private takeOut(lock: SimLock): void {
    if (lock.mockNode) this.controller.removeNode(lock.mockNode);
    this.host.left(lock);
  }

  /** A node the controller cannot reach (or no longer hosts) counts as failed. */
  private isFailed(nodeId: number): boolean {
    const lock = this.host.lockAt(nodeId);
    return !lock?.mockNode || lock.isSilent();
  }

  private addNodeStatus(callbackId: number, status: number, ...rest: number[]): Promise<void> {
    return this.send(requestFrame(FunctionType.AddNodeToNetwork, [callbackId, status, ...rest]));
  }

  private async send(frame: Uint8Array<ArrayBuffer>): Promise<void> {
    this.framesSent++;
    await this.controller.sendToHost(frame);
  }
}
