// Radio time on the simulated Zigbee air. A battery lock is a sleepy end device: its radio is off
// between MAC data polls, so a frame for it waits at its parent (here the coordinator) until its next
// poll; after an exchange it polls fast for a while, expecting more. Every frame also takes airtime.
// docs/radio-time.md has the sources; network.ts routes every ZCL frame through `deliver`.
import type { RadioTimeSetting } from "../../contract.js";

export interface ZigbeeRadioTimeModel {
  /** Airtime of one frame with its MAC ACK (250 kbit/s, CSMA backoff included). */
  readonly frameMs: number;
  /** Poll interval of an idle sleepy lock (ZCL Poll Control "Long Poll Interval"). */
  readonly longPollMs: number;
  /** Poll interval while it expects more ("Short Poll Interval"). */
  readonly shortPollMs: number;
  /** How long after its last exchange it keeps polling fast ("Fast Poll Timeout"). */
  readonly fastPollWindowMs: number;
}

export const INSTANT_ZIGBEE_RADIO_TIME: ZigbeeRadioTimeModel = { frameMs: 0, longPollMs: 0, shortPollMs: 0, fastPollWindowMs: 0 };

/** ZCL Poll Control cluster defaults (long poll 5 s, short poll 0.5 s, fast poll timeout 10 s) and ~5 ms per frame. */
export const REALISTIC_ZIGBEE_RADIO_TIME: ZigbeeRadioTimeModel = { frameMs: 5, longPollMs: 5_000, shortPollMs: 500, fastPollWindowMs: 10_000 };

export function zigbeeRadioTimeModel(setting: RadioTimeSetting | undefined): ZigbeeRadioTimeModel {
  return setting === "realistic" ? REALISTIC_ZIGBEE_RADIO_TIME : INSTANT_ZIGBEE_RADIO_TIME;
}

interface DeviceAir {
  /** When the device last sent or received a frame. */
  lastExchange: number;
  /** When the last frame to or from it lands: frames keep their order. */
  lastLanding: number;
}

export class ZigbeeRadioTime {
  private readonly devices = new Map<string, DeviceAir>();

  constructor(private current: ZigbeeRadioTimeModel) {}

  get model(): ZigbeeRadioTimeModel {
    return this.current;
  }

  set(model: ZigbeeRadioTimeModel): void {
    this.current = model;
  }

  /** A frame from the coordinator to `device`; `sleepy` devices hear it only at their next poll. */
  toDevice(device: string, sleepy: boolean, land: () => void): void {
    const now = Date.now();
    const air = this.air(device);
    const { frameMs, longPollMs, shortPollMs, fastPollWindowMs } = this.current;
    let at = now + frameMs;
    if (sleepy && longPollMs > 0) {
      const interval = now - air.lastExchange <= fastPollWindowMs ? shortPollMs : longPollMs;
      at = Math.ceil(now / interval) * interval + frameMs;
    }
    this.schedule(air, at, land);
  }

  /** A frame from `device` to the coordinator: an end device transmits when it likes. */
  fromDevice(device: string, land: () => void): void {
    this.schedule(this.air(device), Date.now() + this.current.frameMs, land);
  }

  private air(device: string): DeviceAir {
    let air = this.devices.get(device);
    if (!air) {
      air = { lastExchange: Number.NEGATIVE_INFINITY, lastLanding: 0 };
      this.devices.set(device, air);
    }
    return air;
  }

  private schedule(air: DeviceAir, at: number, land: () => void): void {
    const landing = Math.max(at, air.lastLanding);
    air.lastLanding = landing;
    const run = (): void => {
      air.lastExchange = Date.now();
      land();
    };
    const delay = landing - Date.now();
    // Instant radio time keeps the simulation's original ordering: the next turn of the event loop.
    if (delay <= 0) setImmediate(run);
    else setTimeout(run, delay);
  }
}
