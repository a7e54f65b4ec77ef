// WalSync: every commit is covered by a flush that started after it; concurrent commits share flushes.
import { describe, expect, it } from "vitest";
import { WalSync } from "../../agent/store/wal-sync.js";

/** A file whose datasync calls finish only when the test says so. */
function manualFile() {
  const pending: Array<{ done: () => void; fail: (e: Error) => void }> = [];
  let opened = 0;
  let closed = 0;
  const file = {
    datasync: () => new Promise<void>((done, fail) => pending.push({ done, fail })),
    close: async () => void closed++,
  };
  return {
    open: async () => (opened++, file),
    pending,
    counts: () => ({ opened, closed, flushes: pending.length }),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("WalSync", () => {
  it("a commit made while a flush is in flight waits for the next flush; commits in between share it", async () => {
    const f = manualFile();
    const wal = new WalSync("/x-wal", f.open);
    const order: string[] = [];
    const first = wal.sync().then(() => order.push("first"));
    await tick();
    expect(f.counts().flushes).toBe(1);
    const second = wal.sync().then(() => order.push("second"));
    const third = wal.sync().then(() => order.push("third"));
    await tick();
    expect(f.counts().flushes).toBe(1); // the next flush starts only after the one in flight
    f.pending[0]!.done();
    await first;
    await tick();
    expect(order).toEqual(["first"]); // second and third were not covered by the first flush
    expect(f.counts().flushes).toBe(2); // one more flush for both
    f.pending[1]!.done();
    await Promise.all([second, third]);
    expect(order).toEqual(["first", "second", "third"]);
    expect(f.counts().opened).toBe(1);
    await wal.close();
    expect(f.counts().closed).toBe(1);
  });

  it("a failed flush fails the commits waiting on it, and the next commit flushes again", async () => {
    const f = manualFile();
    const wal = new WalSync("/x-wal", f.open);
    const first = wal.sync();
    await tick();
    f.pending[0]!.fail(new Error("EIO"));
    await expect(first).rejects.toThrow("EIO");
    const again = wal.sync();
    await tick();
    expect(f.counts().flushes).toBe(2);
    f.pending[1]!.done();
    await expect(again).resolves.toBeUndefined();
  });
});
