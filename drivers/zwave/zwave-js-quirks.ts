// Workarounds for zwave-js 15.29 behaviour that breaks pairing. Each one is pinned by a test in
// test/drivers/zwave-mock-quirks.test.ts, so an upgrade that fixes (or changes) it is noticed.
import { KEXFailType, Security2CCKEXFail, type Driver } from "zwave-js";

interface AwaitedCommand {
  predicate(cc: unknown): boolean;
  handler(cc: unknown): void;
}

/** The waiters that would take a KEX Fail from `nodeId` right now. */
function keyExchangeWaiters(driver: Driver, nodeId: number): { waiters: AwaitedCommand[]; fail: Security2CCKEXFail } {
  const fail = new Security2CCKEXFail({ nodeId, failType: KEXFailType.BootstrappingCanceled });
  const awaited = (driver as unknown as { awaitedCommands?: AwaitedCommand[] }).awaitedCommands;
  if (!Array.isArray(awaited)) return { waiters: [], fail };
  const waiters = awaited.filter((entry) => {
    try {
      return entry.predicate(fail);
    } catch {
      return false;
    }
  });
  return { waiters, fail };
}

/**
 * After a wrong PIN, zwave-js abandons its wait for the lock's KEX Set echo without removing it: the
 * waiter (KEX Set or KEX Fail from ANY node) stays for TAI2 (240 s) and swallows the next inclusion's
 * KEX Set echo, so that bootstrap times out too. Handing such waiters a KEX Fail ends them (the
 * abandoned bootstrap ignores the answer). Only call this when no S2 bootstrap is running.
 * Returns how many were ended.
 */
export function endStaleKeyExchangeWaits(driver: Driver, nodeId: number): number {
  const { waiters, fail } = keyExchangeWaiters(driver, nodeId);
  for (const entry of waiters) entry.handler(fail);
  return waiters.length;
}

/** How many waiters would take a KEX Fail right now (the quirk test's probe). */
export function staleKeyExchangeWaits(driver: Driver, nodeId: number): number {
  return keyExchangeWaiters(driver, nodeId).waiters.length;
}

/** Bound for the SmartStart switch-off before a destroy. */
const SMART_START_OFF_WAIT_MS = 2_000;

/**
 * zwave-js re-enables SmartStart listening whenever the controller returns to idle while provisioning
 * entries exist. Once the driver is destroyed, that send fails at once, the state returns to idle, and it
 * tries again: a microtask loop that never yields (100% CPU, a growing heap, destroy() never resolves).
 * Switching SmartStart off first (the flag is cleared before anything is sent) ends it. Call right
 * before driver.destroy(); the provisioning list is kept and SmartStart resumes at the next start.
 */
export async function stopSmartStartBeforeDestroy(driver: Driver): Promise<void> {
  // Private in zwave-js's typings (the public switch is the provisioning list); it only clears a flag and
  // leaves listening mode.
  let controller: { disableSmartStart(): Promise<boolean> };
  try {
    controller = driver.controller as unknown as typeof controller;
  } catch {
    return; // not ready yet: nothing enabled it
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    controller.disableSmartStart().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SMART_START_OFF_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
}
