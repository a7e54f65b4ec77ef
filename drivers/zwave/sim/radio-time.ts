// Radio time on the simulated Z-Wave air. zwave-js's mock answers as fast as the CPU allows; a real
// lock does not: every frame takes airtime, and a battery lock (FLiRS) only hears the controller after
// a wake-up beam. This file is the model (docs/radio-time.md has its sources) and the one hook that
// applies it to a MockController; nothing else in the simulation knows about it.
import type { MockController, MockNode } from "@zwave-js/testing";
import { MockZWaveFrameType, type LazyMockZWaveFrame, type MockControllerBehavior } from "@zwave-js/testing";
import {
  Security2CCKEXFail,
  Security2CCNonceGet,
  Security2CCTransferEnd,
  SecurityCCNetworkKeyVerify,
  Security2CCNonceReport,
  SecurityCCNonceGet,
  SecurityCCNonceReport,
  SupervisionCCGet,
  isEncapsulatingCommandClass,
  type CommandClass,
} from "zwave-js";
import type { RadioTimeSetting } from "../../contract.js";

export interface ZWaveRadioTimeModel {
  /** Airtime of one frame on the mock's air (requests and link-layer ACKs alike). */
  readonly frameMs: number;
  /** Wake-up beam sent before a controller frame to a sleeping FLiRS node, by its listening interval. */
  readonly beamMs: { readonly "1000ms": number; readonly "250ms": number };
  /**
   * A FLiRS node that sent a frame asking for an answer (a nonce, a Supervision Report, the command
   * its nonce was for) keeps its receiver on this long for that one answer: it needs no beam.
   */
  readonly answerWindowMs: number;
}

/** No radio time: what unit, driver and end-to-end tests run on. */
export const INSTANT_ZWAVE_RADIO_TIME: ZWaveRadioTimeModel = { frameMs: 0, beamMs: { "1000ms": 0, "250ms": 0 }, answerWindowMs: 0 };

/**
 * Measured and specified figures (docs/radio-time.md): a beam of 1100 ms for 1000 ms FLiRS nodes and
 * 275 ms for 250 ms ones (ITU-T G.9959 §8.1.3.12, as zwave-js's own MAC implements it), and 10 ms
 * per acknowledged transmission ("transmit status: OK, took 10 ms" in zwave-js logs of awake nodes),
 * i.e. 5 ms per frame for the request and again for its ACK.
 */
export const REALISTIC_ZWAVE_RADIO_TIME: ZWaveRadioTimeModel = {
  frameMs: 5,
  beamMs: { "1000ms": 1100, "250ms": 275 },
  answerWindowMs: 1000,
};

export function zwaveRadioTimeModel(setting: RadioTimeSetting | undefined): ZWaveRadioTimeModel {
  return setting === "realistic" ? REALISTIC_ZWAVE_RADIO_TIME : INSTANT_ZWAVE_RADIO_TIME;
}

/**
 * A node in learn mode (being included) keeps its receiver on until its security bootstrap ends; the
 * hub's longest wait for a PIN (zwave-js gives the user 240 s) bounds it when no end is seen.
 */
const LEARN_MODE_MAX_MS = 240_000;

/** Whether `cc` or a command it encapsulates is one of `types`. */
function carries(cc: CommandClass, types: ReadonlyArray<abstract new (...args: never[]) => CommandClass>): boolean {
  for (let current: CommandClass | undefined = cc; current; current = isEncapsulatingCommandClass(current) ? current.encapsulated : undefined) {
    if (types.some((type) => current instanceof type)) return true;
  }
  return false;
}

/** Frames after which a node listens for the controller's answer without a beam. */
const ASKS_FOR_ANSWER = [Security2CCNonceGet, Security2CCNonceReport, SecurityCCNonceGet, SecurityCCNonceReport, SupervisionCCGet];
/** What a joining node sends when its bootstrap ends (granted keys verified, or given up): it leaves learn mode. */
const ENDS_BOOTSTRAP = [Security2CCTransferEnd, Security2CCKEXFail, SecurityCCNetworkKeyVerify];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies a model to a mock network; `model()` is read on every frame, so it can change at run time
 * (the bench programs its locks instantly, then measures with radio time). Call once per controller,
 * after its default behaviours are defined.
 */
export class ZWaveRadioTime {
  /** Node id -> until when it listens for the answer it asked for. */
  private readonly listening = new Map<number, number>();
  /** Node id -> until when it is in learn mode (being included): it hears every frame without a beam. */
  private readonly learning = new Map<number, number>();
  private beams = 0;

  constructor(private current: ZWaveRadioTimeModel) {}

  get model(): ZWaveRadioTimeModel {
    return this.current;
  }

  set(model: ZWaveRadioTimeModel): void {
    this.current = model;
  }

  /** Wake-up beams sent so far (for tests and benchmarks). */
  get beamCount(): number {
    return this.beams;
  }

  /**
   * Airtime per frame for a node created now; `nodeCreated` keeps it current afterwards. A joining node
   * (factory-new, about to be included) is awake until its security bootstrap ends, as a lock in learn mode is.
   */
  nodeCreated(node: MockNode, options: { joining?: boolean } = {}): void {
    if (options.joining) this.learning.set(node.id, Date.now() + LEARN_MODE_MAX_MS);
    else this.learning.delete(node.id);
    // The mock waits node.capabilities.txDelay for every frame to or from the node (ACKs included).
    Object.defineProperty(node.capabilities, "txDelay", { get: () => this.current.frameMs, configurable: true });
  }

  install(controller: MockController): void {
    const send = controller.sendToNode.bind(controller);
    controller.sendToNode = async (node: MockNode, frame: LazyMockZWaveFrame) => {
      if (frame.type === MockZWaveFrameType.Request) await this.beamIfAsleep(node);
      return send(node, frame);
    };
    const hearNode: MockControllerBehavior = {
      onNodeFrame: (_controller, node, frame) => {
        if (frame.type !== MockZWaveFrameType.Request) return false;
        if (carries(frame.payload, ASKS_FOR_ANSWER)) this.listening.set(node.id, Date.now() + this.current.answerWindowMs);
        if (this.learning.has(node.id) && carries(frame.payload, ENDS_BOOTSTRAP)) this.learning.delete(node.id);
        return false;
      },
    };
    controller.defineBehavior(hearNode);
  }

  private async beamIfAsleep(node: MockNode): Promise<void> {
    const interval = node.capabilities.isFrequentListening;
    if (interval !== "1000ms" && interval !== "250ms") return;
    const learning = this.learning.get(node.id);
    if (learning !== undefined && Date.now() <= learning) return;
    const until = this.listening.get(node.id);
    this.listening.delete(node.id);
    if (until !== undefined && Date.now() <= until) return;
    const beam = this.current.beamMs[interval];
    if (beam <= 0) return;
    this.beams++;
    await sleep(beam);
  }
}
