// The Store keeps write-through caches of locks, codes, slots and unmanaged codes (the executors' hot path).
// Property: after any sequence of writes, rolled-back transactions included, what the cached
// Store answers equals what a fresh Store reads from the same SQLite file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../agent/store/db.js";
import type { CodeRecord } from "../../agent/store/records.js";
import { Store } from "../../agent/store/store.js";
import { at, codeRecord, lockRecord } from "../support/records.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const DEVICES = ["00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"] as const;
const idOf = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, "0")}`;

type Op =
  | { op: "insert"; id: number; device: 0 | 1; ms: number }
  | { op: "update"; id: number; status: CodeRecord["status"]; slot: number | null }
  | { op: "move"; id: number; device: 0 | 1 }
  | { op: "delete"; id: number }
  | { op: "putSlot"; device: 0 | 1; slot: number; code: string | null }
  | { op: "forgetSlot"; device: 0 | 1; slot: number }
  | { op: "lock"; device: 0 | 1; online: boolean; checksum: number | null }
  | { op: "rollback"; id: number; device: 0 | 1 }
  | { op: "unmanaged"; device: 0 | 1; slot: number; deleting: boolean | null }
  | { op: "read"; device: 0 | 1 };

const device = fc.constantFrom<0 | 1>(0, 1);
const id = fc.integer({ min: 1, max: 12 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Few distinct milliseconds, so codes created "at once" must fall in by id.
  fc.record({ op: fc.constant("insert" as const), id, device, ms: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant("update" as const), id, status: fc.constantFrom<CodeRecord["status"]>("setting", "set", "removing"), slot: fc.option(fc.integer({ min: 1, max: 5 })) }),
  fc.record({ op: fc.constant("move" as const), id, device }),
  fc.record({ op: fc.constant("delete" as const), id }),
  fc.record({ op: fc.constant("putSlot" as const), device, slot: fc.integer({ min: 1, max: 5 }), code: fc.option(fc.constantFrom("1234", "4821", "9876")) }),
  fc.record({ op: fc.constant("forgetSlot" as const), device, slot: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant("lock" as const), device, online: fc.boolean(), checksum: fc.option(fc.integer({ min: 0, max: 65535 })) }),
  fc.record({ op: fc.constant("rollback" as const), id, device }),
  // deleting null: the slot's unmanaged code goes.
  fc.record({ op: fc.constant("unmanaged" as const), device, slot: fc.integer({ min: 1, max: 3 }), deleting: fc.option(fc.boolean()) }),
  fc.record({ op: fc.constant("read" as const), device }),
);

function apply(store: Store, o: Op): void {
  const exists = (n: number) => store.code(idOf(n)) !== undefined;
  switch (o.op) {
    case "insert":
      if (!exists(o.id)) store.transaction(() => store.insertCode(codeRecord({ accessCodeId: idOf(o.id), deviceId: DEVICES[o.device], createdAt: at(o.ms) })));
      return;
    case "update":
      if (exists(o.id)) store.transaction(() => store.updateCode(idOf(o.id), { status: o.status, slot: o.slot, nextAttemptAt: undefined }));
      return;
    case "move":
      if (exists(o.id)) store.transaction(() => store.updateCode(idOf(o.id), { deviceId: DEVICES[o.device] }));
      return;
    case "delete":
      store.transaction(() => store.deleteCode(idOf(o.id)));
      return;
    case "putSlot":
      store.transaction(() => store.putSlot({ deviceId: DEVICES[o.device], slot: o.slot, code: o.code, masked: false, schedule: null, observedAt: at(0) }));
      return;
    case "forgetSlot":
      store.transaction(() => store.forgetSlot(DEVICES[o.device], o.slot));
      return;
    case "lock":
      store.transaction(() => store.updateLock(DEVICES[o.device], { online: o.online, checksum: o.checksum }));
      return;
    case "rollback":
      // Writes inside a transaction that then fails must leave no trace in the caches.
      expect(() =>
        store.transaction(() => {
          if (exists(o.id)) store.updateCode(idOf(o.id), { status: "unknown" });
          else store.insertCode(codeRecord({ accessCodeId: idOf(o.id), deviceId: DEVICES[o.device], createdAt: at(9) }));
          store.putSlot({ deviceId: DEVICES[o.device], slot: 1, code: "0000", masked: false, schedule: null, observedAt: at(1) });
          store.updateLock(DEVICES[o.device], { name: "rolled back" });
          store.putUnmanaged({ accessCodeId: "00000000-0000-4000-a000-000000000099", deviceId: DEVICES[o.device], slot: 4, code: "1357", name: null, deleting: false, createdAt: at(1) });
          store.unmanaged({ deviceId: DEVICES[o.device] }); // cached inside the transaction
          throw new Error("abort");
        }),
      ).toThrow("abort");
      return;
    case "unmanaged": {
      const here = store.unmanaged({ deviceId: DEVICES[o.device] }).find((u) => u.slot === o.slot);
      const uid = `00000000-0000-4000-a000-0000000000${o.device}${o.slot}`;
      if (o.deleting === null) store.transaction(() => here && store.deleteUnmanaged(here.accessCodeId));
      else if (here) store.transaction(() => store.updateUnmanaged(here.accessCodeId, { deleting: o.deleting! }));
      else store.transaction(() => store.putUnmanaged({ accessCodeId: uid, deviceId: DEVICES[o.device], slot: o.slot, code: "2468", name: null, deleting: o.deleting!, createdAt: at(0) }));
      return;
    }
    case "read":
      // Fill the caches at arbitrary moments.
      store.codes({ deviceId: DEVICES[o.device] });
      store.slots(DEVICES[o.device]);
      store.unmanaged({ deviceId: DEVICES[o.device] });
      store.locks();
      return;
  }
}

function snapshot(store: Store) {
  return {
    locks: store.locks(),
    codes: DEVICES.map((d) => store.codes({ deviceId: d })),
    byId: Array.from({ length: 12 }, (_, i) => store.code(idOf(i + 1)) ?? null),
    // Keyed by slot number; iteration order is not part of the contract.
    slots: DEVICES.map((d) => [...store.slots(d).values()].sort((a, b) => a.slot - b.slot)),
    unmanaged: DEVICES.map((d) => store.unmanaged({ deviceId: d })),
  };
}

describe("store caches", () => {
  it("always agree with the table (random writes, rollbacks, reads)", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const dir = mkdtempSync(path.join(tmpdir(), "lb-cache-"));
        dirs.push(dir);
        const db = openDatabase(dir);
        try {
          const store = new Store(db);
          store.transaction(() => DEVICES.forEach((d, i) => store.insertLock(lockRecord({ deviceId: d, radioId: `zwave:0000abcd:${i + 2}`, createdAt: at(i) }))));
          for (const o of ops) {
            apply(store, o);
            expect(snapshot(store)).toEqual(snapshot(new Store(db)));
          }
        } finally {
          db.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
