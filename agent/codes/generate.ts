import { randomInt } from "node:crypto";
import { isTrivialCode } from "./constraints.js";

/**
 * A random code of an accepted length that is not trivial and not already on the lock.
 * Returns null only when the space of codes is exhausted (practically never above 4 digits).
 */
export function generateCode(opts: { lengths: readonly number[]; charset: string; taken: ReadonlySet<string>; preferredLength?: number }): string | null {
  const lengths = [...opts.lengths].sort((a, b) => a - b);
  const length = opts.preferredLength && lengths.includes(opts.preferredLength) ? opts.preferredLength : (lengths.find((l) => l >= 4) ?? lengths.at(-1));
  if (!length) return null;
  for (let attempt = 0; attempt < 1000; attempt++) {
    let code = "";
    for (let i = 0; i < length; i++) code += opts.charset[randomInt(opts.charset.length)];
    if (!isTrivialCode(code) && !opts.taken.has(code)) return code;
  }
  return null;
}
