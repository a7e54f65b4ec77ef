// A Z-Wave controller served over TCP on 127.0.0.1, as ser2net serves a real USB stick: zwave-js's
// MockController on the mocked serial port of @zwave-js/serial/mock, one client at a time, hosting
// simulated locks (built by the simulation's one node factory, drivers/zwave/sim/lock-node.ts: the same
// nodes, behaviours, bolt, door, memory and radio time as the hub's own simulation). The hub
// reaches it the production way, `zwave.port: "tcp://127.0.0.1:<port>"` through SerialBackend.
// zwave-js's own mock-server binary is never used: it advertises itself by mDNS multicast.
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { SecurityClass } from "@zwave-js/core";
import { SerialAPIParser, ZWaveSerialFrameType, type ZWaveSerialStream } from "@zwave-js/serial";
import { createAndOpenMockedZWaveSerialPort } from "@zwave-js/serial/mock";
import { MockController } from "@zwave-js/testing";
import { createDefaultMockControllerBehaviors } from "zwave-js/Testing";
import type { DriverLogger, RadioTimeSetting, SimulatedLockConfig } from "../../drivers/contract.js";
import { radioIdOf } from "../../drivers/zwave/backend.js";
import { normaliseCodeLengths, parseSecurityKeys, type ZWaveSecurityKeysHex } from "../../drivers/zwave/options.js";
import { addLockNode, type SimSecurity } from "../../drivers/zwave/sim/lock-node.js";
import { MockLockMemory } from "../../drivers/zwave/sim/mock-lock-memory.js";
import { readMockSlot } from "../../drivers/zwave/sim/mock-state-keys.js";
import { ZWaveRadioTime, zwaveRadioTimeModel } from "../../drivers/zwave/sim/radio-time.js";
import { SimLock } from "../../drivers/zwave/sim/sim-lock.js";

export interface BridgeLock {
  readonly config: SimulatedLockConfig;
  /** The security class the lock was included with (the controller holds every configured key); default none. */
  readonly security?: "S2_AccessControl" | "S0_Legacy" | "none";
  /** User Code CC version the lock implements (v1: no checksum, no keypad modes). Default 2. */
  readonly userCodeVersion?: 1 | 2;
  /**
   * The lock says "new user code added" (Access Control 0x0E) after an RF write, as User Code v1 models
   * do (docs/benchmarks.md, row f). Default false. Multi-code support is `config.multi_code`.
   */
  readonly reportsWrites?: boolean;
}

export interface ZWaveTcpBridgeOptions {
  /** Where the locks keep their memory (lock-node-<id>.json), across unplugs and restarts. */
  readonly dataDir: string;
  readonly homeId?: number;
  /** The network keys; the same the hub is configured with. */
  readonly securityKeys: ZWaveSecurityKeysHex;
  /** Locks in node-id order from 2. */
  readonly locks: readonly BridgeLock[];
  readonly radioTime?: RadioTimeSetting;
}

/** Network keys for tests and benchmarks (all four: an S2 mock node takes every S2 key the controller has). */
export const TEST_SECURITY_KEYS: ZWaveSecurityKeysHex = {
  S0_Legacy: "5d1c0b7e4a3f29816e7d5c4b3a291807",
  S2_Unauthenticated: "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
  S2_Authenticated: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  S2_AccessControl: "c0ffee00deadbeef0123456789abcdef",
};

const FIRST_LOCK_NODE_ID = 2;
/** Serial API control byte: frame received. */
const ACK = 0x06;
const quiet: DriverLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** How a bridge lock is secured, in the simulation's terms (lock-node.ts), and the keys it holds. */
const SECURITY: Record<NonNullable<BridgeLock["security"]>, { readonly spec: SimSecurity; readonly granted: SecurityClass[] }> = {
  S2_AccessControl: { spec: "s2", granted: [SecurityClass.S2_AccessControl] },
  S0_Legacy: { spec: "s0", granted: [SecurityClass.S0_Legacy] },
  none: { spec: "none", granted: [] },
};

interface Plugged {
  readonly controller: MockController;
  readonly serial: ZWaveSerialStream;
  readonly server: net.Server;
  socket: net.Socket | null;
}

export class ZWaveTcpBridge {
  readonly radioTime: ZWaveRadioTime;
  readonly homeId: number;
  port = 0;
  /** Client connections accepted so far (the hub reconnecting shows here). */
  connections = 0;
  private locks: SimLock[] = [];
  private plugged: Plugged | null = null;

  constructor(private readonly options: ZWaveTcpBridgeOptions) {
    this.homeId = options.homeId ?? 0x4c425447;
    this.radioTime = new ZWaveRadioTime(zwaveRadioTimeModel(options.radioTime));
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  radioIdOf(nodeId: number): string {
    return radioIdOf(this.homeId, nodeId);
  }

  /** Powers the controller up and listens (port 0: any free port, kept for later plugIn()). */
  async start(port = 0): Promise<this> {
    this.port = port;
    await this.plugIn();
    return this;
  }

  /** The stick comes back: a fresh controller with the same network and locks, listening on the same port. */
  async plugIn(): Promise<void> {
    if (this.plugged) return;
    await mkdir(this.options.dataDir, { recursive: true });
    const { port: mockPort, serial } = await createAndOpenMockedZWaveSerialPort();
    const controller = await MockController.create({
      mockPort,
      serial,
      homeId: this.homeId,
      ownNodeId: 1,
      securityKeys: parseSecurityKeys(this.options.securityKeys),
    });
    controller.defineBehavior(...createDefaultMockControllerBehaviors());
    this.radioTime.install(controller);
    this.locks = [];
    for (const [i, lock] of this.options.locks.entries()) {
      const nodeId = FIRST_LOCK_NODE_ID + i;
      const memory = await MockLockMemory.load(path.join(this.options.dataDir, `lock-node-${nodeId}.json`), lock.config.slots, quiet);
      const codeLengths = normaliseCodeLengths(lock.config.code_lengths, `bridge lock ${lock.config.name}`);
      const security = SECURITY[lock.security ?? "none"];
      const spec = { ...lock.config, security: security.spec, smartStart: false, ...(lock.userCodeVersion ? { userCodeVersion: lock.userCodeVersion } : {}) };
      const simLock = new SimLock(`bridge-${nodeId}`, spec, codeLengths, memory, this.homeId);
      simLock.nodeId = nodeId;
      simLock.granted = security.granted;
      simLock.reportsWrites = lock.reportsWrites === true;
      await addLockNode(controller, simLock, { nodeId, radioTime: this.radioTime, factoryNew: false });
      this.locks.push(simLock);
    }
    const server = net.createServer((socket) => this.accept(socket));
    server.maxConnections = 1;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (typeof address === "object" && address) this.port = address.port;
    this.plugged = { controller, serial, server, socket: null };
    void this.forwardToHost(this.plugged);
  }

  /** The stick is pulled: the connection drops and nothing answers on the port until plugIn(). */
  async unplug(): Promise<void> {
    const plugged = this.plugged;
    if (!plugged) return;
    this.plugged = null;
    plugged.socket?.destroy();
    await new Promise<void>((resolve) => plugged.server.close(() => resolve()));
    for (const lock of this.locks) lock.door?.dispose();
    await Promise.all(this.locks.map((l) => l.memory.flush()));
    plugged.controller.destroy();
    await plugged.serial.close().catch(() => undefined);
  }

  async stop(): Promise<void> {
    await this.unplug();
  }

  get isPlugged(): boolean {
    return this.plugged !== null;
  }

  lock(nodeId: number): SimLock {
    const lock = this.locks.find((l) => l.nodeId === nodeId);
    if (!lock) throw new Error(`the bridge hosts no lock node ${nodeId}`);
    return lock;
  }

  /** What a lock physically holds, slot by slot. */
  physicalSlots(nodeId: number): Array<{ slot: number; code: string | null }> {
    const lock = this.lock(nodeId);
    const slots: Array<{ slot: number; code: string | null }> = [];
    for (let slot = 1; slot <= lock.slotCount; slot++) slots.push({ slot, code: readMockSlot(lock.state, slot).code });
    return slots;
  }

  /** Request frames the locks exchanged with the controller since this controller came up. */
  frameCount(): number {
    return this.locks.reduce((n, l) => n + l.frames, 0);
  }

  private accept(socket: net.Socket): void {
    const plugged = this.plugged;
    if (!plugged || plugged.socket) {
      socket.destroy();
      return;
    }
    this.connections++;
    plugged.socket = socket;
    // TCP merges the host's writes (a NAK and a frame arrive as one chunk); the mock controller wants
    // one control byte or one whole SOF frame per chunk, which is what the Serial API parser yields.
    const parser = new SerialAPIParser();
    const toParser = parser.writable.getWriter();
    void parser.readable
      .pipeTo(
        new WritableStream({
          write: async (frame) => {
            if (frame.type !== ZWaveSerialFrameType.SerialAPI) return;
            const data = typeof frame.data === "number" ? Uint8Array.of(frame.data) : frame.data;
            await plugged.serial.writeAsync(data).catch(() => undefined);
          },
        }),
      )
      .catch(() => undefined);
    socket.on("data", (chunk) => void toParser.write(new Uint8Array(chunk)).catch(() => undefined));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (plugged.socket === socket) plugged.socket = null;
      void toParser.abort().catch(() => undefined);
    });
  }

  /**
   * Everything the controller says goes to the connected host. With none connected the frame is lost
   * as on a wire, but acknowledged here: the mock controller treats a missing host ACK as a fatal error,
   * where a real stick retransmits and gives up.
   */
  private async forwardToHost(plugged: Plugged): Promise<void> {
    try {
      // A reader, not for-await: with DOM typings in the program (playwright-core), ReadableStream has no async iterator type.
      const reader = plugged.serial.readable.getReader();
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        if (frame.type !== ZWaveSerialFrameType.SerialAPI) continue;
        const data = typeof frame.data === "number" ? Uint8Array.of(frame.data) : frame.data;
        if (plugged.socket) plugged.socket.write(data);
        else if (typeof frame.data !== "number") void plugged.serial.writeAsync(Uint8Array.of(ACK)).catch(() => undefined);
      }
    } catch {
      // the serial stream closes when the stick is unplugged
    }
  }
}
