// writeSlots for a radio (or a lock) that takes one code per write: the codes go one after another,
// each proven as writeSlot proves it.
import type { LockHandle, RadioResult, SlotWrite } from "./contract.js";

export async function writeEachSlot(handle: Pick<LockHandle, "writeSlot">, writes: readonly SlotWrite[]): Promise<RadioResult[]> {
  const results: RadioResult[] = [];
  for (const write of writes) results.push(await handle.writeSlot(write.slot, write.code));
  return results;
}
