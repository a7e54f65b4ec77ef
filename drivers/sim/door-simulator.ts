// The contract's DoorSimulator, the same on every radio: a person turns the knob, opens the door,
// takes the cover off or the battery drains, and the radio's simulated body reports it. Each radio's
// simulator extends this with how it finds a lock's body and waits for its reports to be on the air.
// Simulation only: production code never imports this.
import type { DoorSimulator } from "../contract.js";
import type { DoorMechanism } from "./door-mechanism.js";

/** A simulated lock's body as each radio builds it: the shared mechanism and the radio's own reports. */
export interface SimulatedBody {
  readonly mechanism: DoorMechanism;
  /** The cover comes off: the lock reports tampering. */
  tamper(): void;
  /** The battery now holds `level` %: the lock reports it (and that it is low, crossing the limit). */
  battery(level: number): void;
}

export abstract class BodySimulator<Body extends SimulatedBody> implements DoorSimulator {
  /** The body of the lock `radioId`; throws when the radio has no such lock. */
  protected abstract bodyOf(radioId: string): Body;
  /** Resolves once the reports `body` queued so far reached the hub's radio. */
  protected abstract reportsSent(body: Body): Promise<void>;

  async turnThumbTurn(radioId: string, locked: boolean): Promise<void> {
    await this.act(radioId, (body) => body.mechanism.operate(locked, "thumb_turn"));
  }

  async pressKeypadLock(radioId: string): Promise<void> {
    await this.act(radioId, (body) => body.mechanism.operate(true, "keypad_button"));
  }

  async setDoorOpen(radioId: string, open: boolean): Promise<void> {
    await this.act(radioId, (body) => body.mechanism.setDoorOpen(open));
  }

  async tamper(radioId: string): Promise<void> {
    await this.act(radioId, (body) => body.tamper());
  }

  async setBatteryLevel(radioId: string, percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError("a battery level is 0..100 %");
    await this.act(radioId, (body) => body.battery(percent));
  }

  physicalDoor(radioId: string): { locked: boolean; doorOpen: boolean; boltMoves: number } {
    const { mechanism } = this.bodyOf(radioId);
    return { locked: mechanism.locked, doorOpen: mechanism.doorOpen, boltMoves: mechanism.boltMoves };
  }

  private async act(radioId: string, what: (body: Body) => unknown): Promise<void> {
    const body = this.bodyOf(radioId);
    what(body);
    await this.reportsSent(body);
  }
}
