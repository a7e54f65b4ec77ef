// One simulated lock: its spec, live faults, link state, frame counter and memory, its place in the
// network (node id and the keys it holds, or none while factory-new) and the MockNode that carries it
// on the simulated radio (null while it is not in the network).
import type { SecurityClass } from "@zwave-js/core";
import type { MockNode } from "@zwave-js/testing";
import type { CommandClass } from "zwave-js";
import type { SimulatedFaults } from "../../contract.js";
import { radioIdOf } from "../backend.js";
import { lockModel, type SimLockSpec } from "./lock-node.js";
import type { ZWaveSimDoor } from "./door-lock-behaviors.js";
import { innerCommandName, type MockLockControls } from "./mock-behaviors.js";
import type { MockLockMemory } from "./mock-lock-memory.js";

type FaultFlags = { -readonly [K in keyof SimulatedFaults]-?: boolean };
type KeyPair = NonNullable<MockNode["ecdhKeyPair"]>;

export class SimLock implements MockLockControls {
  readonly faults: FaultFlags = { unresponsive: false, rejects_codes: false, masked_readback: false, jammed: false };
  /** simulator.disconnect(): the lock is out of radio range (it keeps working at the keypad). */
  offAir = false;
  /** The lock says "new user code added" after an RF write (User Code v1 models do; user-code-behaviors.ts). */
  reportsWrites: boolean;
  /** Request frames to and from the lock by inner command (mock-behaviors.ts innerCommandName). */
  readonly framesByCommand = new Map<string, number>();
  mockNode: MockNode | null = null;
  /** The node id while the lock is in the network. */
  nodeId: number | null = null;
  /** The radio id the lock had before it last left the network (for a clear error). */
  formerRadioId: string | null = null;
  /** The security classes whose keys the lock holds (empty: insecure, or factory-new). */
  granted: SecurityClass[] = [];
  /** The bolt, door and body (door-lock-behaviors.ts); set with the mock node. */
  door: ZWaveSimDoor | null = null;

  constructor(
    /** "config-<index>" for configured locks, a UUID for locks made by /hub/simulate/new_lock. */
    readonly simId: string,
    readonly spec: SimLockSpec,
    readonly codeLengths: readonly number[],
    readonly memory: MockLockMemory,
    private readonly homeId: number,
    /** The ECDH key pair behind the label's DSK (S2 locks made by new_lock; configured locks never bootstrap). */
    readonly keyPair: KeyPair | null = null,
  ) {
    this.model = lockModel(spec);
    this.reportsWrites = this.model?.reportsRfWrites ?? false;
  }

  /** The real model the lock is (its profile), looked up once: behaviours ask on every frame. */
  private readonly model: ReturnType<typeof lockModel>;

  /** Kept for the simulator and the behaviours: the radio-neutral config. */
  get config(): SimLockSpec {
    return this.spec;
  }

  get radioId(): string | null {
    return this.nodeId === null ? null : radioIdOf(this.homeId, this.nodeId);
  }

  get slotCount(): number {
    return this.spec.slots;
  }

  isSilent(): boolean {
    return this.offAir || this.faults.unresponsive;
  }

  rejectsCodes(): boolean {
    return this.faults.rejects_codes;
  }

  masksDigits(): boolean {
    return this.spec.masked_readback || this.faults.masked_readback;
  }

  /** What a masked slot reads back as: the model's mask (Schlage: ten stars), else "****". */
  maskedCode(): string {
    return this.model?.maskedCode ?? "****";
  }

  codePadding(): number {
    return this.model?.padsCodesTo ?? 0;
  }

  batteryLevel(): number {
    return this.memory.snapshot.battery;
  }

  /** Every request frame so far: the tally's sum. */
  get frames(): number {
    let total = 0;
    for (const n of this.framesByCommand.values()) total += n;
    return total;
  }

  countFrame(cc: CommandClass): void {
    const command = innerCommandName(cc);
    this.framesByCommand.set(command, (this.framesByCommand.get(command) ?? 0) + 1);
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

  /** The mock node's memory; throws for a lock that is not in the network. */
  get state(): Map<string, unknown> {
    if (!this.mockNode) throw new Error(`simulated lock ${this.radioId ?? this.simId} is not in the network`);
    return this.mockNode.state;
  }
}
