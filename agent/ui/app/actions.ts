// Requests that finish later: an action attempt (lock/unlock, protocol.md §8) and a pairing (§7),
// followed by polling their get path only while one is running.
import { ApiError, call } from "./api";
import type { ActionAttempt, Pairing } from "./types";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What to show for a refused request: the hub's own message, which says what to do. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Lock or unlock, then wait for the lock to report it (success) or the hub to give up (error). */
export async function lockAction(deviceId: string, action: "lock" | "unlock", onUpdate: (a: ActionAttempt) => void, timeoutMs = 90_000): Promise<ActionAttempt> {
  const path = action === "lock" ? "/locks/lock_door" : "/locks/unlock_door";
  let attempt = (await call<{ action_attempt: ActionAttempt }>(path, { device_id: deviceId })).action_attempt;
  onUpdate(attempt);
  const t0 = Date.now();
  while (attempt.status === "pending") {
    if (Date.now() - t0 > timeoutMs) throw new ApiError(0, "timeout", "The lock has not reported its new state yet; check the door.");
    await sleep(500);
    attempt = (await call<{ action_attempt: ActionAttempt }>("/action_attempts/get", { action_attempt_id: attempt.action_attempt_id })).action_attempt;
    onUpdate(attempt);
  }
  return attempt;
}

export const pairingDone = (p: Pairing): boolean => ["succeeded", "failed", "stopped", "expired"].includes(p.status);

/** Follow a pairing until it ends (or `stopped()` says the page no longer shows it). */
export async function followPairing(p: Pairing, onUpdate: (p: Pairing) => void, stopped: () => boolean): Promise<void> {
  let current = p;
  while (!pairingDone(current) && !stopped()) {
    await sleep(1000);
    if (stopped()) return;
    current = (await call<{ pairing: Pairing }>("/hub/pairing/get", { pairing_id: current.pairing_id })).pairing;
    onUpdate(current);
  }
}
