// One simulated lock: its config, live faults, link state, frame counter and memory, plus the
// MockNode that carries it on the simulated radio (null once excluded).
import type { MockNode } from "@zwave-js/testing";
import type { SimulatedFaults, SimulatedLockConfig } from "../../contract.js";
import type { ZWaveSimDoor } from "./door-lock-behaviors.js";
import type { MockLockControls } from "./mock-behaviors.js";
import type { MockLockMemory } from "./mock-lock-memory.js";

type FaultFlags = { -readonly [K in keyof SimulatedFaults]-?: boolean };

export class SimLock implements MockLockControls {
  readonly faults: FaultFlags = { unresponsive: false, rejects_codes: false, masked_readback: false, jammed: false };
  /** simulator.disconnect(): the lock is out of radio range (it keeps working at the keypad). */
  offAir = false;
  /** The lock says "new user code added" after an RF write (User Code v1 models do; user-code-behaviors.ts). */
  reportsWrites = false;
  frames = 0;
  mockNode: MockNode | null = null;
  /** The bolt, door and body (door-lock-behaviors.ts); set with the mock node. */
  door: ZWaveSimDoor | null = null;

  constructor(
    readonly nodeId: number,
    readonly radioId: string,
    readonly config: SimulatedLockConfig,
    readonly codeLengths: readonly number[],
    readonly memory: MockLockMemory,
  ) {}

  get slotCount(): number {
    return this.config.slots;
  }

  isSilent(): boolean {
    return this.offAir || this.faults.unresponsive;
  }

  rejectsCodes(): boolean {
    return this.faults.rejects_codes;
  }

  masksDigits(): boolean {
    return this.config.masked_readback || this.faults.masked_readback;
  }

  batteryLevel(): number {
    return this.memory.snapshot.battery;
  }

  countFrame(): void {
    this.frames++;
  }

  memoryMayHaveChanged(): void {
    if (this.mockNode) this.memory.captureFrom(this.mockNode.state);
  }

  /** Flags given stay until set false (protocol.md /hub/simulate/lock_faults). */
  setFaults(faults: SimulatedFaults): void {
    for (const key of ["unresponsive", "rejects_codes", "masked_readback", "jammed"] as const) {
      const value = faults[key];
      if (value !== undefined) this.faults[key] = value;
    }
    this.applyLinkState();
  }

  /**
   * A silent lock must not even ACK: then the mock controller reports "no ACK", zwave-js fails the
   * command at once and marks the node dead, as with a real lock whose radio is gone.
   */
  applyLinkState(): void {
    if (this.mockNode) this.mockNode.autoAckControllerFrames = !this.isSilent();
  }

  /** The mock node's memory; throws for an excluded lock. */
  get state(): Map<string, unknown> {
    if (!this.mockNode) throw new Error(`simulated lock ${this.radioId} was removed from the network`);
    return this.mockNode.state;
  }
}
