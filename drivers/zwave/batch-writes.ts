// Several codes in one Extended User Code Set (User Code v2 locks that report multi-code support), each
// proven as a single write is (contract §3). The caller sized the batch to the lock's frame budget
// (LockCapabilities.multiCodeWrite); zwave-js refusing it as "message too large" (ZW0217) is a sizing
// error: the batch is split in two, never retried as it was. A batch the lock refuses (Supervision
// fail) is written again code by code, except the codes the lock named in a duplicate notification.
import { CRC16_CCITT, SupervisionStatus, type SupervisionResult } from "@zwave-js/core";
import { UserIDStatus, ZWaveError, ZWaveErrorCodes, type ZWaveNode } from "zwave-js";
import type { BatchContext, LockCapabilities, RadioResult, SlotWrite } from "../contract.js";
import { duplicateRefused, type CodeNotices } from "./code-notices.js";
import { failed, toRadioError } from "./radio-errors.js";
import { writeEachSlot } from "../write-each.js";

/** What a batch needs from its lock handle (lock-handle.ts). */
export interface BatchHost {
  readonly node: ZWaveNode;
  readonly notices: CodeNotices;
  capabilities(): LockCapabilities;
  /** Checks that need no radio traffic (slot range, length, charset); null when the write may go. */
  validate(caps: LockCapabilities, slot: number, code: string): RadioResult | null;
  /** The single write, with all its rules: the fallback for codes a batch could not carry. */
  writeSlot(slot: number, code: string): Promise<RadioResult>;
  /** One call under the command deadline, these slots marked busy; radio trouble becomes a RadioError. */
  run<T>(slots: readonly number[], work: () => Promise<T>): Promise<T>;
  /** Proves one code after its write, as a single write does (Supervision, the lock's report, a read). */
  confirm(slot: number, code: string, result: SupervisionResult | undefined, since: number): Promise<RadioResult>;
  /** A plain code must not inherit a previous window: the refusal, or null. */
  liftSchedule(caps: LockCapabilities, slot: number): Promise<RadioResult | null>;
  readChecksum(): Promise<number | null>;
  /** The lock hides digits (status_only). */
  hidesDigits(): boolean;
  /** How long to wait for the lock's duplicate notification after a refusal. */
  readonly duplicateWaitMs: number;
}

const TOO_LARGE = Symbol("message too large");

const isTooLarge = (e: unknown) => e instanceof ZWaveError && e.code === ZWaveErrorCodes.Controller_MessageTooLarge;

/**
 * The checksum a lock must report once it holds the batch, from what the caller believes every other
 * slot holds (every occupied slot Enabled, as the hub writes them): User Code CC's CRC-CCITT over user
 * id, status and code of each occupied slot, in order; 0 for none. Undefined when a slot is not known.
 */
export function expectedChecksum(slotCount: number, writes: readonly SlotWrite[], believed: (slot: number) => string | null | undefined): number | undefined {
  const written = new Map(writes.map((w) => [w.slot, w.code]));
  const parts: Uint8Array[] = [];
  for (let slot = 1; slot <= slotCount; slot++) {
    const code = written.has(slot) ? written.get(slot) : believed(slot);
    if (code === undefined) return undefined;
    if (code === null) continue;
    const ascii = Buffer.from(code, "ascii");
    const part = new Uint8Array(3 + ascii.length);
    part[0] = slot >> 8;
    part[1] = slot & 0xff;
    part[2] = UserIDStatus.Enabled;
    part.set(ascii, 3);
    parts.push(part);
  }
  return parts.length === 0 ? 0 : CRC16_CCITT(Buffer.concat(parts));
}

export class ZWaveBatchWriter {
  /** Extended User Code Sets sent so far (batches, and the halves of split ones), for tests. */
  batchesSent = 0;

  constructor(private readonly host: BatchHost) {}

  async writeSlots(writes: readonly SlotWrite[], context: BatchContext = {}): Promise<RadioResult[]> {
    const caps = this.host.capabilities();
    const results: Array<RadioResult | null> = writes.map((w) => this.host.validate(caps, w.slot, w.code));
    const pending = writes.filter((_, i) => results[i] === null);
    const done = caps.multiCodeWrite && pending.length > 1 ? await this.send(caps, pending, context) : await writeEachSlot(this.host, pending);
    let next = 0;
    return results.map((r) => r ?? done[next++]!);
  }

  private async send(caps: LockCapabilities, writes: readonly SlotWrite[], context: BatchContext): Promise<RadioResult[]> {
    if (writes.length === 1) return writeEachSlot(this.host, writes);
    const since = Date.now();
    let outcome: SupervisionResult | undefined | typeof TOO_LARGE;
    try {
      outcome = await this.host.run(
        writes.map((w) => w.slot),
        async () => {
          try {
            const codes = writes.map((w) => ({ userId: w.slot, userIdStatus: UserIDStatus.Enabled as const, userCode: w.code }));
            this.batchesSent++;
            return await this.host.node.commandClasses["User Code"].setMany(codes);
          } catch (e) {
            if (isTooLarge(e)) return TOO_LARGE;
            throw e;
          }
        },
      );
    } catch (e) {
      const error = toRadioError(e, false);
      return writes.map(() => failed(error.failure, error.message));
    }
    if (outcome === TOO_LARGE) {
      // Nothing went on the air: zwave-js refuses before sending. Two halves, each sized again the same way.
      const half = Math.ceil(writes.length / 2);
      return [...(await this.send(caps, writes.slice(0, half), context)), ...(await this.send(caps, writes.slice(half), context))];
    }
    if (outcome?.status === SupervisionStatus.Fail) return this.fallBack(writes, since);
    return this.prove(caps, writes, outcome, since, context);
  }

  /** The lock refused the batch: the codes it named as duplicates failed; the others go one by one. */
  private async fallBack(writes: readonly SlotWrite[], since: number): Promise<RadioResult[]> {
    const slots = new Set(writes.map((w) => w.slot));
    await this.host.notices.waitFor(since, this.host.duplicateWaitMs, (n) => n.kind === "duplicate" && n.slot !== null && slots.has(n.slot));
    const named = (slot: number) => this.host.notices.find(since, (n) => n.kind === "duplicate" && n.slot === slot) !== undefined;
    const results: RadioResult[] = [];
    for (const w of writes) {
      results.push(named(w.slot) ? duplicateRefused() : await this.host.writeSlot(w.slot, w.code));
    }
    return results;
  }

  /** Supervision proves a batch on a lock that shows digits; one checksum read where it hides them; else each code on its own. */
  private async prove(caps: LockCapabilities, writes: readonly SlotWrite[], supervision: SupervisionResult | undefined, since: number, context: BatchContext): Promise<RadioResult[]> {
    let proven: RadioResult[] | null = null;
    if (supervision?.status === SupervisionStatus.Success && !this.host.hidesDigits()) {
      proven = writes.map(() => ({ ok: true, proof: "supervision" }) as const);
    } else if (supervision?.status === SupervisionStatus.Success && caps.supportsChecksum && context.believed) {
      proven = await this.byChecksum(caps, writes, context.believed);
    }
    const results: RadioResult[] = [];
    for (const [i, w] of writes.entries()) {
      let result = proven?.[i] ?? (await this.host.confirm(w.slot, w.code, supervision, since));
      if (result.ok) result = (await this.host.liftSchedule(caps, w.slot)) ?? result;
      results.push(result);
    }
    return results;
  }

  /** One checksum read against the checksum the lock must have now; null when it cannot decide. */
  private async byChecksum(caps: LockCapabilities, writes: readonly SlotWrite[], believed: (slot: number) => string | null | undefined): Promise<RadioResult[] | null> {
    const expected = expectedChecksum(caps.slotCount, writes, believed);
    if (expected === undefined) return null;
    const actual = await this.host.readChecksum().catch(() => null);
    return actual === expected ? writes.map(() => ({ ok: true, proof: "checksum" }) as const) : null;
  }
}
