// An in-memory lock driver for unit tests of the agent (our own code, mocked): no radio, instant answers.
import type {
  DriverEvent,
  DriverEventListener,
  LockCapabilities,
  LockControls,
  LockDriver,
  LockHandle,
  LockOperationResult,
  LockSimulator,
  LockState,
  MultiCodeWrite,
  PairingSession,
  PairingSimulator,
  RadioPairing,
  RadioResult,
  SimulatedFaults,
  SlotSchedule,
  SlotWrite,
} from "../../drivers/contract.js";
import { writeEachSlot } from "../../drivers/write-each.js";
import { PairingError, RadioError } from "../../drivers/contract.js";

export class FakeLock implements LockHandle {
  readonly memory = new Map<number, { code: string; schedule?: SlotSchedule | undefined }>();
  faults: SimulatedFaults = {};
  online = true;
  commands = 0;
  /** The bolt and the door. */
  locked = true;
  doorOpen = false;
  boltMoves = 0;
  controls: LockControls = { remoteLock: true, remoteUnlock: true, doorSensor: true };
  /** Every radio call's start and end, in order, to check that calls never overlap. */
  readonly calls: string[] = [];
  /** How long each radio call takes. */
  callMs = 0;
  /** The next this many slot reads go unanswered (a report lost in the air). */
  failReads = 0;
  slotReads = 0;
  /** Where the lock's own reports go (set by FakeDriver). */
  emit: (e: DriverEvent) => void = () => undefined;
  constructor(
    readonly identity: LockHandle["identity"],
    readonly caps: LockCapabilities,
  ) {}
  capabilities(): LockCapabilities {
    return { ...this.caps, readback: this.faults.masked_readback ? "status_only" : this.caps.readback };
  }
  isOnline(): boolean {
    return this.online;
  }
  batteryLevel(): number | null {
    return 80;
  }
  private check(): void {
    this.commands++;
    if (!this.online || this.faults.unresponsive) throw new RadioError("timeout", "no answer");
  }
  /** Runs a radio call, logging when it starts and ends. */
  private async call<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.calls.push(`${name}:start`);
    try {
      if (this.callMs) await new Promise((r) => setTimeout(r, this.callMs));
      return await work();
    } finally {
      this.calls.push(`${name}:end`);
    }
  }
  lockControls(): LockControls {
    return this.controls;
  }
  lockState(): LockState {
    return { locked: this.locked, doorOpen: this.doorOpen };
  }
  async readLockState(): Promise<LockState> {
    return this.call("readLockState", async () => {
      this.check();
      return this.lockState();
    });
  }
  async setLocked(locked: boolean): Promise<LockOperationResult> {
    return this.call(`setLocked(${locked})`, async () => {
      try {
        this.check();
      } catch {
        return { ok: false, failure: "timeout", message: "no answer" };
      }
      if (this.faults.jammed) return { ok: false, failure: "rejected", message: "the bolt is jammed" };
      this.move(locked, "remote", null);
      return { ok: true, proof: "supervision" };
    });
  }
  /** The bolt moves (by any means): the lock reports its state and the operation. */
  move(locked: boolean, method: "remote" | "keycode" | "manual" | "automatic", slot: number | null): void {
    if (this.locked !== locked) this.boltMoves++;
    this.locked = locked;
    this.emit({ type: "lock_state", radioId: this.identity.radioId, state: this.lockState() });
    this.emit({ type: "lock_operation", radioId: this.identity.radioId, action: locked ? "locked" : "unlocked", method, slot });
  }
  async readSlot(slot: number) {
    this.check();
    this.slotReads++;
    if (this.failReads > 0) {
      this.failReads--;
      throw new RadioError("timeout", "no User Code Report");
    }
    const m = this.memory.get(slot);
    return { slot, code: m ? (this.faults.masked_readback ? undefined : m.code) : null };
  }
  async readChecksum(): Promise<number | null> {
    this.check();
    if (!this.caps.supportsChecksum) return null;
    let h = 0;
    for (const [s, m] of [...this.memory].sort((a, b) => a[0] - b[0])) for (const ch of `${s}:${m.code};`) h = (h * 31 + ch.charCodeAt(0)) & 0xffff;
    return h;
  }
  async writeSlot(slot: number, code: string, schedule?: SlotSchedule): Promise<RadioResult> {
    return this.call(`writeSlot(${slot})`, () => this.write(slot, code, schedule));
  }
  /** One radio call for the whole batch when the lock takes several codes per write (multiCodeWrite). */
  async writeSlots(writes: readonly SlotWrite[]): Promise<RadioResult[]> {
    if (!this.caps.multiCodeWrite) return writeEachSlot(this, writes);
    return this.call(`writeSlots(${writes.map((w) => w.slot).join(",")})`, async () => {
      const results: RadioResult[] = [];
      for (const w of writes) results.push(await this.write(w.slot, w.code));
      return results;
    });
  }
  private async write(slot: number, code: string, schedule?: SlotSchedule): Promise<RadioResult> {
    try {
      this.check();
    } catch {
      return { ok: false, failure: "timeout", message: "no answer" };
    }
    if (this.faults.rejects_codes) return { ok: false, failure: "rejected", message: "lock refused the code" };
    if (!this.caps.codeLengths.includes(code.length)) return { ok: false, failure: "rejected", message: "bad length" };
    if ([...this.memory].some(([s, m]) => s !== slot && m.code === code)) return { ok: false, failure: "duplicate", message: "duplicate" };
    this.memory.set(slot, { code, schedule });
    return { ok: true, proof: this.faults.masked_readback ? "status" : "readback" };
  }
  async clearSlot(slot: number): Promise<RadioResult> {
    return this.call(`clearSlot(${slot})`, async () => {
      try {
        this.check();
      } catch {
        return { ok: false, failure: "timeout", message: "no answer" };
      }
      this.memory.delete(slot);
      return { ok: true, proof: "readback" };
    });
  }
}

/** The fake radio's pairing: factory-new locks and their button, but no window ever opens (no inclusion). */
class FakePairing implements RadioPairing {
  private readonly made = new Set<string>();
  readonly simulator: PairingSimulator = {
    newLock: async () => {
      const simId = `fake-new-${this.made.size + 1}`;
      this.made.add(simId);
      return { simId };
    },
    // Nothing listens, so a button press changes nothing.
    pressButton: async (target) => {
      const known = "simId" in target ? this.made.has(target.simId) : this.driver.fakes.some((f) => f.identity.radioId === target.radioId);
      if (!known) throw new PairingError("unknown_lock", "no fake lock has this id");
      return "none";
    },
  };
  constructor(private readonly driver: FakeDriver) {}
  async include(): Promise<PairingSession> {
    throw new PairingError("unsupported", "the fake radio cannot include locks");
  }
  async remove(): Promise<void> {
    throw new PairingError("unsupported", "the fake radio cannot remove locks");
  }
  onUnsolicited(): void {}
}

export class FakeDriver implements LockDriver, LockSimulator {
  readonly protocol = "zwave" as const;
  readonly simulator: LockSimulator = this;
  readonly pairing: RadioPairing = new FakePairing(this);
  readonly fakes: FakeLock[] = [];
  private listeners: DriverEventListener[] = [];
  constructor(specs: Array<{ name: string; slots: number; codeLengths?: number[]; checksum?: boolean; native?: boolean; multiCode?: MultiCodeWrite }>) {
    specs.forEach((s, i) =>
      this.fakes.push(
        new FakeLock(
          { radioId: `zwave:fa4e0001:${i + 2}`, protocol: "zwave", name: s.name, manufacturer: null, model: null, simulated: true, isBattery: true },
          {
            slotCount: s.slots,
            codeLengths: s.codeLengths ?? [4, 5, 6],
            charset: "0123456789",
            supportsChecksum: s.checksum ?? true,
            supportsNativeSchedule: s.native ?? false,
            readback: "digits",
            ...(s.multiCode ? { multiCodeWrite: s.multiCode } : {}),
          },
        ),
      ),
    );
  }
  emit(e: DriverEvent): void {
    for (const l of this.listeners) l(e);
  }
  private wire(): void {
    for (const f of this.fakes) f.emit = (e) => this.emit(e);
  }
  async start(): Promise<void> {
    this.wire();
    for (const f of this.fakes) this.emit({ type: "lock_ready", lock: f });
  }
  async stop(): Promise<void> {}
  locks(): LockHandle[] {
    return this.fakes;
  }
  onEvent(l: DriverEventListener): void {
    this.listeners.push(l);
  }
  fake(radioId: string): FakeLock {
    return this.fakes.find((f) => f.identity.radioId === radioId)!;
  }
  async keypadSetCode(radioId: string, slot: number, code: string): Promise<void> {
    const f = this.fake(radioId);
    if ([...f.memory].some(([s, m]) => s !== slot && m.code === code)) return this.emit({ type: "duplicate_refused", radioId, slot });
    f.memory.set(slot, { code });
    this.emit({ type: "slot_changed", radioId, slot, cause: "keypad_added" });
  }
  async keypadClearCode(radioId: string, slot: number): Promise<void> {
    this.fake(radioId).memory.delete(slot);
    this.emit({ type: "slot_changed", radioId, slot, cause: "keypad_deleted" });
  }
  async keypadUnlock(radioId: string, code: string, at: Date = new Date()): Promise<{ unlocked: boolean; slot: number | null }> {
    const hit = [...this.fake(radioId).memory].find(([, m]) => m.code === code);
    // A scheduled code opens the door only inside its window, as a lock with a native scheduler does.
    const sched = hit?.[1].schedule;
    if (!hit || (sched && (at < sched.startsAt || at >= sched.endsAt))) {
      this.emit({ type: "access_denied", radioId, slot: hit ? hit[0] : null });
      return { unlocked: false, slot: null };
    }
    this.fake(radioId).move(false, "keycode", hit[0]);
    return { unlocked: true, slot: hit[0] };
  }
  async turnThumbTurn(radioId: string, locked: boolean): Promise<void> {
    this.fake(radioId).move(locked, "manual", null);
  }
  async pressKeypadLock(radioId: string): Promise<void> {
    this.fake(radioId).move(true, "manual", null);
  }
  async setDoorOpen(radioId: string, open: boolean): Promise<void> {
    const f = this.fake(radioId);
    f.doorOpen = open;
    this.emit({ type: "lock_state", radioId, state: f.lockState() });
  }
  async tamper(radioId: string): Promise<void> {
    this.emit({ type: "tampered", radioId, cause: "tamper" });
  }
  async setBatteryLevel(radioId: string, percent: number): Promise<void> {
    this.emit({ type: "battery", radioId, level: percent });
    if (percent < 20) this.emit({ type: "battery_low", radioId });
  }
  physicalDoor(radioId: string): { locked: boolean; doorOpen: boolean; boltMoves: number } {
    const f = this.fake(radioId);
    return { locked: f.locked, doorOpen: f.doorOpen, boltMoves: f.boltMoves };
  }
  physicalSlots(radioId: string) {
    const f = this.fake(radioId);
    return Array.from({ length: f.caps.slotCount }, (_, i) => ({ slot: i + 1, code: f.memory.get(i + 1)?.code ?? null }));
  }
  setFaults(radioId: string, faults: SimulatedFaults): void {
    const f = this.fake(radioId);
    f.faults = { ...f.faults, ...faults };
  }
  async disconnect(radioId: string): Promise<void> {
    this.fake(radioId).online = false;
    this.emit({ type: "availability", radioId, online: false });
  }
  async connect(radioId: string): Promise<void> {
    this.fake(radioId).online = true;
    this.emit({ type: "availability", radioId, online: true });
  }
  async remove(radioId: string): Promise<void> {
    this.emit({ type: "lock_removed", radioId });
  }
  frameCount(): number {
    return this.fakes.reduce((n, f) => n + f.commands, 0);
  }
}
