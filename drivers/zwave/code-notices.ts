// What a lock says about its codes on its own, kept per lock for the writes that wait on it: "duplicate,
// not added" (Access Control 0x0F, with the refused slot or none), "new user code added" (0x0E, which
// User Code v1 locks send after an RF write; Yale and Kwikset models map their alarm 112 to it), and
// User Code Reports it sends unasked for a slot a write is busy with (Schlage does after an RF write).
// Notices older than a minute are dropped.
import type { RadioResult } from "../contract.js";
import { failed } from "./radio-errors.js";

export type CodeNotice =
  | { readonly kind: "duplicate"; readonly slot: number | null; readonly at: number }
  | { readonly kind: "added"; readonly slot: number; readonly at: number }
  /** `code`: the digits, null for empty, undefined when the report hides them. */
  | { readonly kind: "report"; readonly slot: number; readonly code: string | null | undefined; readonly at: number };

type NoticeInput = CodeNotice extends infer N ? (N extends CodeNotice ? Omit<N, "at"> : never) : never;

const KEEP_MS = 60_000;
/**
 * How long to wait, after a write without Supervision, for the lock's own "code added" report, once the
 * lock is known to send one (the first write that hears one teaches it). A lock that sends none is read
 * back at once; one that stops sending them is read back again after MISSED_REPORTS_LIMIT silences.
 */
const WRITE_REPORT_WAIT_MS = 3_000;
const MISSED_REPORTS_LIMIT = 3;
/** A "code added" for a slot up to this long after the hub wrote it is the lock answering the write, once. */
const OWN_WRITE_ECHO_MS = 5_000;

export class CodeNotices {
  private readonly notices: CodeNotice[] = [];
  private readonly waiters = new Set<() => void>();
  /**
   * Slot -> until when the lock's "code added" for it answers a write of the hub's (Infinity while the
   * write is on the air). One echo per write: anything after it is the keypad's news.
   */
  private readonly echoes = new Map<number, number>();
  /** The lock reports writes itself ("code added"); learned from the first one it sends. */
  private reportsWrites = false;
  private missedReports = 0;

  note(notice: NoticeInput): void {
    const at = Date.now();
    this.notices.push({ ...notice, at } as CodeNotice);
    while (this.notices.length > 0 && at - (this.notices[0]?.at ?? at) > KEEP_MS) this.notices.shift();
    for (const wake of [...this.waiters]) wake();
  }

  /** The latest notice since `since` that matches. */
  find(since: number, match: (n: CodeNotice) => boolean): CodeNotice | undefined {
    for (let i = this.notices.length - 1; i >= 0; i--) {
      const n = this.notices[i]!;
      if (n.at < since) break;
      if (match(n)) return n;
    }
    return undefined;
  }

  /** The hub is about to write these slots: the lock may answer each with one "code added". */
  expectEcho(slots: readonly number[]): void {
    for (const slot of slots) this.echoes.set(slot, Infinity);
  }

  /** The hub's call on these slots ended: an echo still expected has a few seconds to come. */
  finished(slots: readonly number[]): void {
    const until = Date.now() + OWN_WRITE_ECHO_MS;
    for (const slot of slots) if (this.echoes.get(slot) === Infinity) this.echoes.set(slot, until);
  }

  /**
   * The lock said "new user code added" for `slot`. True when that is the one answer to a write of the
   * hub's (in flight or just done): then it is the write's confirmation, not a keypad change.
   */
  noteAdded(slot: number): boolean {
    const until = this.echoes.get(slot);
    if (until === undefined || Date.now() >= until) return false;
    // After the write, only a lock known to answer writes gets the grace: on any other lock a "code added"
    // then is the keypad's (a keypad edit right after the hub's write was taken for its echo and lost).
    if (until !== Infinity && !this.reportsWrites) return false;
    this.echoes.delete(slot);
    this.note({ kind: "added", slot });
    this.reportsWrites = true;
    this.missedReports = 0;
    return true;
  }

  /**
   * What the lock said by itself about a write of `code` to `slot` since `since`: "code added" for the
   * slot (what SmartThings' Z-Wave lock handler takes as the confirmation from v1 locks), its own User
   * Code Report of the slot with the code, or a duplicate. Waits only for a lock known to report
   * writes; null when it said nothing that decides (then a read does).
   */
  async reportOf(slot: number, code: string, since: number): Promise<RadioResult | null> {
    // Only a report that shows the code decides: an older one of the slot (the read that proved its clear just
    // before, say) must not end the wait for the lock's "code added".
    const match = (n: CodeNotice) => (n.kind === "added" && n.slot === slot) || (n.kind === "report" && n.slot === slot && n.code === code) || duplicateFor(slot)(n);
    const heard = await this.waitFor(since, this.reportsWrites ? WRITE_REPORT_WAIT_MS : 0, match);
    if (!heard) {
      if (this.reportsWrites && ++this.missedReports >= MISSED_REPORTS_LIMIT) this.reportsWrites = false;
      return null;
    }
    if (heard.kind === "duplicate") return duplicateRefused();
    if (heard.kind === "added") return { ok: true, proof: "notification" };
    return { ok: true, proof: "readback" };
  }

  /** Waits up to `ms` for a matching notice since `since` (at once when there is one already). */
  async waitFor(since: number, ms: number, match: (n: CodeNotice) => boolean): Promise<CodeNotice | undefined> {
    const found = this.find(since, match);
    if (found || ms <= 0) return found;
    return new Promise((resolve) => {
      const done = (value: CodeNotice | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const wake = (): void => {
        const hit = this.find(since, match);
        if (hit) done(hit);
      };
      const timer = setTimeout(() => done(undefined), ms);
      this.waiters.add(wake);
    });
  }
}

/** A duplicate notice that names `slot`, or names none (the lock did not say which). */
/** The lock refused a code because the same PIN is in another slot. */
export const duplicateRefused = (): RadioResult => failed("duplicate", "the lock refused the code: the same PIN is in another slot");

export const duplicateFor = (slot: number) => (n: CodeNotice) => n.kind === "duplicate" && (n.slot === slot || n.slot === null);
