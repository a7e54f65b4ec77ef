// The contract's LockSimulator over the simulated Z-Wave network: keypad actions change the mock
// lock's memory and send the notification a real lock sends; faults and link changes act on the
// mock node so that zwave-js sees what it would see with real hardware.
import type { MockController } from "@zwave-js/testing";
import { UserIDStatus, type Driver, type ZWaveNode } from "zwave-js";
import type { LockSimulator, SimulatedFaults } from "../../contract.js";
import { accessControlReport, slotHoldingCode } from "./mock-behaviors.js";
import { readMockScheduleEnabled, readMockSlot, readMockYearDay, writeMockSlot, writeMockYearDay } from "./mock-state-keys.js";
import { AccessControlEvent } from "../notifications.js";
import { withDeadline } from "../radio-errors.js";
import { BodySimulator } from "../../sim/door-simulator.js";
import { isInsideYearDay } from "../schedule.js";
import type { ZWaveSimDoor } from "./door-lock-behaviors.js";
import type { SimulatedInclusion } from "./inclusion-controller.js";
import { sendFromLock } from "./secure-send.js";
import type { SimLock } from "./sim-lock.js";

/** What the simulator needs from the running simulated network (network.ts). */
export interface SimulatedNetworkAccess {
  lock(radioId: string): SimLock;
  locks(): SimLock[];
  driver(): Driver;
  mockController(): MockController;
  inclusion(): SimulatedInclusion;
}

const PING_TIMEOUT_MS = 5_000;
const EXCLUSION_TIMEOUT_MS = 10_000;

export class ZWaveLockSimulator extends BodySimulator<ZWaveSimDoor> implements LockSimulator {
  constructor(private readonly net: SimulatedNetworkAccess) {
    super();
  }

  async keypadSetCode(radioId: string, slot: number, code: string): Promise<void> {
    const lock = this.net.lock(radioId);
    this.assertSlot(lock, slot);
    if (!/^[0-9]+$/.test(code) || !lock.codeLengths.includes(code.length)) {
      throw new RangeError(`the keypad takes ${lock.codeLengths.join(", ")} digits`);
    }
    const state = lock.state;
    if (slotHoldingCode(state, lock.slotCount, code, slot) !== null) {
      // The lock keeps its memory as it was and says why.
      await this.notify(lock, AccessControlEvent.NewUserCodeDuplicate, slot);
      return;
    }
    writeMockSlot(state, slot, { status: UserIDStatus.Enabled, code });
    lock.memoryMayHaveChanged();
    await this.notify(lock, AccessControlEvent.NewUserCodeAdded, slot);
  }

  async keypadClearCode(radioId: string, slot: number): Promise<void> {
    const lock = this.net.lock(radioId);
    this.assertSlot(lock, slot);
    const state = lock.state;
    // Deleting a user at the keypad deletes the user's schedule with it.
    writeMockSlot(state, slot, { status: UserIDStatus.Available, code: null });
    writeMockYearDay(state, slot, undefined);
    lock.memoryMayHaveChanged();
    await this.notify(lock, AccessControlEvent.SingleUserCodeDeleted, slot);
  }

  async keypadUnlock(radioId: string, code: string, at: Date = new Date()): Promise<{ unlocked: boolean; slot: number | null }> {
    const lock = this.net.lock(radioId);
    const state = lock.state;
    const slot = slotHoldingCode(state, lock.slotCount, code);
    const schedule = slot === null ? undefined : readMockYearDay(state, slot);
    const allowed =
      slot !== null &&
      readMockSlot(state, slot).status === UserIDStatus.Enabled &&
      !(schedule && readMockScheduleEnabled(state, slot) && !isInsideYearDay(schedule, at));
    const door = this.door(lock);
    const result = door.mechanism.codeEntered(slot === null ? null : { slot, allowed });
    await door.idle();
    return result;
  }

  // ---- the bolt, the door and the body (DoorSimulator, ../../sim/door-simulator.ts) ---------

  protected bodyOf(radioId: string): ZWaveSimDoor {
    return this.door(this.net.lock(radioId));
  }

  protected reportsSent(door: ZWaveSimDoor): Promise<void> {
    return door.idle();
  }

  physicalSlots(radioId: string): Array<{ slot: number; code: string | null }> {
    const lock = this.net.lock(radioId);
    const state = lock.state;
    const slots: Array<{ slot: number; code: string | null }> = [];
    for (let slot = 1; slot <= lock.slotCount; slot++) slots.push({ slot, code: readMockSlot(state, slot).code });
    return slots;
  }

  setFaults(radioId: string, faults: SimulatedFaults): void {
    this.net.lock(radioId).setFaults(faults);
  }

  /** Off the air; zwave-js learns it like with a real lock: a ping goes unanswered, the node is dead. */
  async disconnect(radioId: string): Promise<void> {
    const lock = this.net.lock(radioId);
    lock.offAir = true;
    lock.applyLinkState();
    await this.ping(lock);
  }

  /** Back on the air; the ping succeeds (unless another fault keeps it silent) and the node is alive. */
  async connect(radioId: string): Promise<void> {
    const lock = this.net.lock(radioId);
    lock.offAir = false;
    lock.applyLinkState();
    await this.ping(lock);
  }

  /**
   * Excludes the lock as an installer would: the hub's controller enters exclusion mode and the
   * lock's button is pressed, so zwave-js runs its real exclusion path and emits "node removed".
   */
  async remove(radioId: string): Promise<void> {
    const lock = this.net.lock(radioId);
    const nodeId = lock.nodeId;
    if (!lock.mockNode || nodeId === null) throw new Error(`simulated lock ${radioId} was already removed`);
    const driver = this.net.driver();
    const removed = this.nodeRemoved(driver, nodeId);
    try {
      if (!(await driver.controller.beginExclusion())) throw new Error("the controller could not start an exclusion");
      if ((await this.net.inclusion().pressButton(lock)) !== "left") throw new Error("the controller was not excluding");
      await removed.done;
    } finally {
      removed.cancel();
    }
  }

  frameCount(radioId?: string): number {
    if (radioId !== undefined) return this.net.lock(radioId).frames;
    return this.net.locks().reduce((sum, lock) => sum + lock.frames, 0);
  }

  /**
   * Z-Wave only (not in the driver contract): the lock's request frames so far by inner command class
   * name, both directions, encapsulation unwrapped; the values add up to frameCount(radioId).
   */
  framesByCommand(radioId: string): Record<string, number> {
    return Object.fromEntries(this.net.lock(radioId).framesByCommand);
  }

  // ---- internals ----------------------------------------------------------------------------

  private door(lock: SimLock): ZWaveSimDoor {
    if (!lock.door || !lock.mockNode) throw new Error(`simulated lock ${lock.radioId} was removed from the network`);
    return lock.door;
  }

  private assertSlot(lock: SimLock, slot: number): void {
    if (!Number.isInteger(slot) || slot < 1 || slot > lock.slotCount) {
      throw new RangeError(`slot ${slot} is outside 1..${lock.slotCount}`);
    }
  }

  /** Sends what a real lock sends after a keypad action, unless nobody can hear it. */
  private async notify(lock: SimLock, event: number, userId: number): Promise<void> {
    if (lock.isSilent() || !lock.mockNode) return;
    await sendFromLock(lock.mockNode, accessControlReport(this.net.mockController().ownNodeId, event, userId));
  }

  private async ping(lock: SimLock): Promise<void> {
    if (lock.nodeId === null) return;
    const node = this.net.driver().controller.nodes.get(lock.nodeId);
    if (node) await withDeadline(node.ping(), PING_TIMEOUT_MS).catch(() => false);
  }

  private nodeRemoved(driver: Driver, nodeId: number): { done: Promise<void>; cancel(): void } {
    let cancel = (): void => undefined;
    const done = new Promise<void>((resolve, reject) => {
      const onRemoved = (node: ZWaveNode): void => {
        if (node.id !== nodeId) return;
        cancel();
        resolve();
      };
      const timer = setTimeout(() => {
        cancel();
        reject(new Error(`zwave-js did not report node ${nodeId} removed`));
      }, EXCLUSION_TIMEOUT_MS);
      cancel = () => {
        clearTimeout(timer);
        driver.controller.off("node removed", onRemoved);
      };
      driver.controller.on("node removed", onRemoved);
    });
    return { done, cancel };
  }
}
