// Hostile input against the one router, in-process (the same router every door uses): random paths,
// any JSON, valid bodies with fields corrupted, dropped or added. Every case gets a 4xx in Seam's error
// shape (or a 200 for a valid query) and changes nothing; valid mutations are recognised by their 200
// and the fixture is restored after them. LOCKBRIDGE_FUZZ_RUNS sets the total over the fuzz suites.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectErrorBody, fuzzSeed, isMutation, paramsFor, pathArb, resolve, restore, runs, settle, snapshot, startFuzzHub, type FuzzHub } from "./support.js";

let f: FuzzHub;
beforeAll(async () => {
  f = await startFuzzHub();
});
afterAll(async () => {
  await f?.stop();
});


describe("router under hostile input", () => {
  it(`answers ${runs(0.6)} hostile requests with 4xx errors and no state change`, async () => {
    const paths = f.hub.router.paths();
    const stats = { cases: 0, errors: 0, queries: 0, validMutations: 0, byStatus: {} as Record<number, number>, byType: {} as Record<string, number> };
    let baseline = snapshot(f.hub);
    const caseArb = pathArb(paths).chain((path) =>
      fc.record({
        path: fc.constant(path),
        params: paramsFor(paths.includes(path) ? path : "/access_codes/create"),
        requestId: fc.option(fc.oneof(fc.uuid(), fc.string({ unit: "binary", maxLength: 20 })), { nil: undefined }),
        door: fc.constantFrom("http" as const, "cloud" as const, "mqtt" as const),
      }),
    );
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        stats.cases++;
        const params = resolve(c.params, f.ids);
        const before = snapshot(f.hub);
        expect(before, "state changed between cases").toBe(baseline);
        const res = await f.hub.router.handle({ path: c.path, params, door: c.door, ...(c.requestId !== undefined ? { requestId: c.requestId } : {}) });
        stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
        const context = `${c.path} ${JSON.stringify(params)?.slice(0, 300)}`;
        if (res.status === 200) {
          expect((res.body as { ok?: unknown }).ok, context).toBe(true);
          if (isMutation(c.path)) {
            // A valid mutation (or the recorded answer of one, for a repeated request id): let it finish, then restore the fixture.
            stats.validMutations++;
            await settle(f.hub);
            await restore(f);
            baseline = await settle(f.hub);
            return;
          }
          stats.queries++;
        } else {
          stats.errors++;
          const type = (res.body as { error?: { type?: string } }).error?.type ?? "?";
          stats.byType[type] = (stats.byType[type] ?? 0) + 1;
          expectErrorBody(res.status, res.body, context);
        }
        expect(snapshot(f.hub), `state changed by ${context} -> ${res.status}`).toBe(before);
      }),
      { numRuns: runs(0.6), ...(fuzzSeed !== undefined ? { seed: fuzzSeed } : {}) },
    );
    console.log(`router fuzz ${JSON.stringify(stats)}`);
    expect(stats.errors).toBeGreaterThan(stats.cases / 2);
  }, 60_000 + runs(0.6) * 20);
});
