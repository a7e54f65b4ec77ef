// Lock state and remote control (protocol.md §8): /locks/lock_door and /locks/unlock_door answer at
// once with a pending action attempt that the lock's executor carries out (reconcile/lock-operations.ts);
// the simulation paths act on a simulated lock's keypad, thumb turn, door and body.
import { z } from "zod";
import type { LockSimulator } from "../../../drivers/contract.js";
import { requireLock } from "../../codes/service.js";
import type { Tx } from "../../events/journal.js";
import type { LockRecord } from "../../store/records.js";
import type { ApiContext } from "../context.js";
import { unsupported } from "../errors.js";
import { id, onlyFalse, pin, qBool, qInt } from "../params.js";
import type { Route } from "../router.js";
import { shapeActionAttempt } from "../shape.js";
import { recordActionAttempt } from "./action-attempts.js";
import { requireSimulated, requireTypable } from "./devices.js";

const operateParams = z.object({
  device_id: id,
  sync: onlyFalse("the hub answers at once with a pending action_attempt; poll /action_attempts/get, or use the SDK's waitForActionAttempt").optional(),
});

export function lockRoutes(ctx: ApiContext): Route[] {
  const operate = (path: string, locked: boolean): Route => ({
    kind: "mutation",
    path,
    params: operateParams,
    handle: (p: z.infer<typeof operateParams>, tx: Tx) => {
      const lock = requireLock(tx, p.device_id);
      const verb = locked ? "lock" : "unlock";
      if (!lock.lockControls.remoteLock) throw unsupported(`device_id "${lock.deviceId}": this lock cannot be ${verb}ed over the radio (it has no door lock control)`);
      if (!locked && !ctx.config.allow_remote_unlock) {
        throw unsupported("remote unlock is turned off on this hub (allow_remote_unlock is false in its configuration); unlock at the door or with an access code");
      }
      if (!locked && !lock.lockControls.remoteUnlock) throw unsupported(`device_id "${lock.deviceId}": this lock wants a PIN with every radio unlock, so the hub cannot unlock it`);
      const attempt = recordActionAttempt(tx, { type: locked ? "LOCK_DOOR" : "UNLOCK_DOOR", deviceId: lock.deviceId, status: "pending" });
      tx.store.putLockOperation({
        actionAttemptId: attempt.id,
        deviceId: lock.deviceId,
        locked,
        requestedAt: tx.now,
        deadlineAt: tx.now + ctx.config.timing.lock_operation_timeout_ms,
        attempts: 0,
        nextAttemptAt: null,
        lastError: null,
      });
      tx.kick(lock.deviceId);
      return { action_attempt: shapeActionAttempt(attempt) };
    },
  });

  /** A simulation path: acts on the simulated lock, which reports as a real one would. */
  const simulate = <S extends z.ZodObject<{ device_id: typeof id }>>(
    path: string,
    params: S,
    act: (sim: LockSimulator, radioId: string, p: z.infer<S>) => Promise<unknown>,
    attemptType?: string,
    check?: (lock: LockRecord, p: z.infer<S>) => void,
  ): Route => ({
    kind: "query",
    path,
    params,
    handle: async (p: z.infer<S>, store) => {
      const { lock, sim } = requireSimulated(ctx, store, p.device_id as string);
      check?.(lock, p);
      const answer = await act(sim, lock.radioId, p);
      if (attemptType) return { action_attempt: shapeActionAttempt(ctx.recordActionAttempt({ type: attemptType, deviceId: lock.deviceId })) };
      return typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : {};
    },
  });

  /** Opens or closes the door (when `open` is given), then says where the bolt and door physically are. */
  const door = async (sim: LockSimulator, radioId: string, open: boolean | undefined) => {
    if (open !== undefined) await sim.setDoorOpen(radioId, open);
    const d = sim.physicalDoor(radioId);
    return { door: { locked: d.locked, door_open: d.doorOpen, bolt_moves: d.boltMoves } };
  };

  return [
    operate("/locks/lock_door", true),
    operate("/locks/unlock_door", false),
    simulate(
      "/locks/simulate/keypad_code_entry",
      z.object({ device_id: id, code: pin }),
      (sim, radioId, p) => sim.keypadUnlock(radioId, p.code, new Date(ctx.clock.now())),
      "SIMULATE_KEYPAD_CODE_ENTRY",
      (lock, p) => requireTypable(p.code, lock),
    ),
    simulate("/locks/simulate/manual_lock_via_keypad", z.object({ device_id: id }), (sim, radioId) => sim.pressKeypadLock(radioId), "SIMULATE_MANUAL_LOCK_VIA_KEYPAD"),
    simulate("/hub/simulate/thumb_turn", z.object({ device_id: id, locked: qBool }), (sim, radioId, p) => sim.turnThumbTurn(radioId, p.locked)),
    simulate("/hub/simulate/door", z.object({ device_id: id, open: qBool.optional() }), (sim, radioId, p) => door(sim, radioId, p.open)),
    simulate("/hub/simulate/tamper", z.object({ device_id: id }), (sim, radioId) => sim.tamper(radioId)),
    simulate("/hub/simulate/battery", z.object({ device_id: id, level: qInt(0, 100) }), (sim, radioId, p) => sim.setBatteryLevel(radioId, p.level)),
  ];
}
