// A keypad edit of a slot the hub just wrote, or of a slot whose digits the lock masks, is news: the
// classification of slot observations and the Z-Wave "code added" echo rule (found by the per-model
// lock-truth cases, test/e2e/lock-truth-profiles.test.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import { classify } from "../../agent/reconcile/classify.js";
import { CodeNotices } from "../../drivers/zwave/code-notices.js";
import { codeRecord } from "../support/records.js";

afterEach(() => vi.useRealTimers());

describe("classify: a managed code's slot seen again", () => {
  const owner = codeRecord({ slot: 3, code: "4821", status: "set", wasOnLock: true, desired: "present" });
  it.each([
    ["same digits", { slot: 3, code: "4821", masked: false }, "none"],
    ["other digits", { slot: 3, code: "9753", masked: false }, "modified"],
    ["empty", { slot: 3, code: null, masked: false }, "removed"],
    ["masked, read", { slot: 3, code: null, masked: true }, "none"],
    ["masked, the keypad wrote it", { slot: 3, code: null, masked: true, changedAtKeypad: true }, "modified"],
  ] as const)("%s -> %s", (_name, obs, want) => {
    const result = classify(obs, owner, undefined);
    expect(result.kind === "external_change" ? result.change : result.kind).toBe(want);
  });
});

describe('Z-Wave "code added" after the hub wrote the slot', () => {
  it("while the write is on the air it is the write's echo, once; after it, only a lock known to answer writes gets a grace", () => {
    vi.useFakeTimers();
    const notices = new CodeNotices();
    notices.expectEcho([4]);
    notices.finished([4]);
    // Never seen answering a write: the report a second later is the keypad's.
    vi.advanceTimersByTime(1000);
    expect(notices.noteAdded(4)).toBe(false);
    notices.expectEcho([4]);
    expect(notices.noteAdded(4)).toBe(true);
    expect(notices.noteAdded(4)).toBe(false);
    // Now known to answer writes: a late echo within the grace is still the write's.
    notices.expectEcho([5]);
    notices.finished([5]);
    vi.advanceTimersByTime(1000);
    expect(notices.noteAdded(5)).toBe(true);
  });
});
