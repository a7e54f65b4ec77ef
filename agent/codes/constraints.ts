import type { LockRecord } from "../store/records.js";

/** Lengths the hub accepts for a lock: what the lock reported, narrowed by report_device_constraints. */
export function effectiveCodeLengths(lock: LockRecord): number[] {
  const own = [...lock.capabilities.codeLengths];
  if (!lock.reportedCodeLengths) return own;
  const narrowed = own.filter((l) => lock.reportedCodeLengths!.includes(l));
  return narrowed.length ? narrowed : own;
}

function listLengths(lengths: readonly number[]): string {
  if (lengths.length === 1) return `${lengths[0]}`;
  const sorted = [...lengths].sort((a, b) => a - b);
  const contiguous = sorted.every((l, i) => i === 0 || l === sorted[i - 1]! + 1);
  return contiguous ? `${sorted[0]} to ${sorted.at(-1)}` : `${sorted.slice(0, -1).join(", ")} or ${sorted.at(-1)}`;
}

/** Why a code cannot go on this lock, worded for the caller; null when it fits. Never echoes the code. */
export function codeMisfit(code: string, lock: LockRecord): string | null {
  const lengths = effectiveCodeLengths(lock);
  if (code.length === 0) return "code must not be empty; omit it to have the hub generate one";
  if (!lengths.includes(code.length)) return `code must be ${listLengths(lengths)} characters long for this lock, got ${code.length}`;
  const charset = lock.capabilities.charset;
  for (const ch of code) {
    if (!charset.includes(ch)) return `code may only contain the characters "${charset}" on this lock`;
  }
  return null;
}

/** Trivial PINs a burglar tries first: one repeated digit, or a straight run up or down. */
export function isTrivialCode(code: string): boolean {
  if (/^(.)\1*$/.test(code)) return true;
  const digits = [...code].map(Number);
  if (digits.some((d) => Number.isNaN(d))) return false;
  const up = digits.every((d, i) => i === 0 || d === (digits[i - 1]! + 1) % 10);
  const down = digits.every((d, i) => i === 0 || d === (digits[i - 1]! + 9) % 10);
  return up || down;
}
