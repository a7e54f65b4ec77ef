// A simulated coordinator: a subclass of herdsman's abstract Adapter, so the real Controller, interview,
// request queue, ZCL encode/decode, response matching and timeouts all run. Frames go to virtual devices
// as bytes and come back as bytes; replies are matched by herdsman's own waitress validator and emitted as
// `zclPayload`, exactly as the Z-Stack adapter does. Nothing here knows about locks.
import { Zcl, Zdo, ZSpec } from "zigbee-herdsman";
import { Adapter, type ClusterWaitressMatcher, type ZclWaitressPayload } from "zigbee-herdsman/dist/adapter/adapter.js";
import type { ZclPayload } from "zigbee-herdsman/dist/adapter/events.js";
import type * as TsType from "zigbee-herdsman/dist/adapter/tstype.js";
import type { Backup } from "zigbee-herdsman/dist/models/index.js";
import { Waitress } from "zigbee-herdsman/dist/utils/waitress.js";
import type * as ZdoTypes from "zigbee-herdsman/dist/zspec/zdo/definition/tstypes.js";
import { answerZdo, responseClusterOf, type NodeDescription } from "./zdo.js";

/** What the adapter needs from the simulated air: the devices' side of every exchange. */
export interface SimulatedAir {
  readonly coordinator: NodeDescription;
  readonly extendedPanId: string;
  attach(port: CoordinatorPort): void;
  detach(port: CoordinatorPort): void;
  /** The coordinator's permit-join window (0 closes it). */
  permitJoin(seconds: number): void;
  /** An install code herdsman handed the coordinator (with its CRC, as herdsman adjusted it). */
  addInstallCode(ieee: string, key: Buffer): void;
  /** Hands a frame to the device; false when it cannot be delivered (off the air, unknown). */
  sendZcl(nwk: number, endpoint: number, clusterId: number, frame: Buffer): boolean;
  /** The device's ZDO answer, "silent" when it gets the request but does not answer, or "unreachable". */
  sendZdo(nwk: number, clusterId: number, request: Buffer): Buffer | "silent" | "unreachable";
}

/** How the air reaches the coordinator. */
export interface CoordinatorPort {
  receiveZcl(nwk: number, sourceEndpoint: number, clusterId: number, frame: Buffer): void;
  receiveZdo(responseClusterId: number, frame: Buffer): void;
  deviceJoined(nwk: number, ieee: string): void;
  deviceLeft(nwk: number, ieee: string): void;
  /** The coordinator's serial link is gone (the stick was pulled). */
  disconnected(): void;
}

const COORDINATOR_ENDPOINT = 1;

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function undelivered(ieee: string): Error {
  // Worded like the real adapters' delivery failures so the driver classifies it the same way.
  return new Error(`Delivery failed for '${ieee}' (MAC_NO_ACK)`);
}

export class SimAdapter extends Adapter implements CoordinatorPort {
  private readonly waitress = new Waitress<ZclWaitressPayload, ClusterWaitressMatcher>(
    Adapter.zclWaitressValidator,
    Adapter.clusterWaitressTimeoutFormatter,
  );

  constructor(
    private readonly air: SimulatedAir,
    /** How long a ZDO request waits for a silent device (ZCL requests carry their own timeout). */
    private readonly zdoTimeoutMs: number,
    networkOptions: TsType.NetworkOptions,
    transportOptions: TsType.TransportOptions,
    backupPath: string,
    adapterOptions: TsType.AdapterOptions,
  ) {
    super(networkOptions, transportOptions, backupPath, adapterOptions);
    // ZDO payloads carry their transaction sequence number, as on air.
    this.hasZdoMessageOverhead = true;
  }

  // ---- lifecycle and network -------------------------------------------------------------------

  override async start(): Promise<TsType.StartResult> {
    this.air.attach(this);
    // "resumed" with the configured channel: the Controller then neither resets nor changes channel.
    return "resumed";
  }

  override async stop(): Promise<void> {
    this.air.detach(this);
    this.waitress.clear();
  }

  override async getCoordinatorIEEE(): Promise<string> {
    return this.air.coordinator.ieee;
  }

  override async getCoordinatorVersion(): Promise<TsType.CoordinatorVersion> {
    return { type: "lockbridge-simulated", meta: {} };
  }

  override async reset(): Promise<void> {}

  override async supportsBackup(): Promise<boolean> {
    return false;
  }

  override async backup(): Promise<Backup> {
    throw new Error("the simulated coordinator has nothing to back up");
  }

  override async getNetworkParameters(): Promise<TsType.NetworkParameters> {
    return {
      panID: this.networkOptions.panID,
      extendedPanID: this.air.extendedPanId,
      channel: this.networkOptions.channelList[0] ?? 11,
      nwkUpdateID: 0,
    };
  }

  override async addInstallCode(ieeeAddress: string, key: Buffer): Promise<void> {
    this.air.addInstallCode(ieeeAddress, key);
  }

  /** The window the simulated coordinator admits joining locks in (network-wide; no single-router windows). */
  override async permitJoin(seconds: number): Promise<void> {
    this.air.permitJoin(seconds);
  }

  override waitFor(
    networkAddress: number,
    endpoint: number,
    _frameType: Zcl.FrameType,
    _direction: Zcl.Direction,
    transactionSequenceNumber: number | undefined,
    clusterId: number,
    commandId: number,
    defaultRspCommandId: number | undefined,
    timeout: number,
  ): { promise: Promise<ZclPayload>; cancel: () => void } {
    const waiter = this.waitress.waitFor(
      { address: networkAddress, endpoint, clusterId, commandId, defaultRspCommandId, transactionSequenceNumber },
      timeout,
    );
    return { promise: waiter.start().promise, cancel: () => this.waitress.remove(waiter.ID) };
  }

  // ---- ZDO -------------------------------------------------------------------------------------

  override sendZdo(ieee: string, nwk: number, clusterId: Zdo.ClusterId, payload: Buffer, disableResponse: true): Promise<void>;
  override sendZdo<K extends keyof ZdoTypes.RequestToResponseMap>(
    ieee: string,
    nwk: number,
    clusterId: K,
    payload: Buffer,
    disableResponse: false,
  ): Promise<ZdoTypes.RequestToResponseMap[K]>;
  override sendZdo<K extends keyof ZdoTypes.RequestToResponseMap>(
    ieee: string,
    nwk: number,
    clusterId: K,
    payload: Buffer,
    disableResponse: boolean,
  ): Promise<ZdoTypes.RequestToResponseMap[K] | undefined>;
  override async sendZdo(
    ieee: string,
    nwk: number,
    clusterId: number,
    payload: Buffer,
    disableResponse: boolean,
  ): Promise<ZdoTypes.GenericZdoResponse | undefined | void> {
    // Broadcasts (channel change, address discovery) have no unicast answer.
    if (nwk >= ZSpec.BROADCAST_MIN) return undefined;
    const toCoordinator = nwk === ZSpec.COORDINATOR_ADDRESS || ieee === this.air.coordinator.ieee;
    const reply = toCoordinator ? (answerZdo(this.air.coordinator, clusterId, payload) ?? "silent") : this.air.sendZdo(nwk, clusterId, payload);
    await nextTick();
    if (reply === "unreachable") throw undelivered(ieee);
    if (reply === "silent") {
      if (disableResponse) return undefined;
      await new Promise((resolve) => setTimeout(resolve, this.zdoTimeoutMs));
      throw new Error(`Timeout after ${this.zdoTimeoutMs}ms waiting for ZDO ${Zdo.ClusterId[clusterId] ?? clusterId} from ${ieee}`);
    }
    const responseCluster = responseClusterOf(clusterId);
    const response = Zdo.Buffalo.readResponse(this.hasZdoMessageOverhead, responseCluster, reply);
    this.emit("zdoResponse", responseCluster, response);
    return disableResponse ? undefined : response;
  }

  // ---- ZCL -------------------------------------------------------------------------------------

  override async sendZclFrameToEndpoint(
    ieee: string,
    nwk: number,
    endpoint: number,
    zclFrame: Zcl.Frame,
    timeout: number,
    disableResponse: boolean,
  ): Promise<ZclPayload | undefined> {
    // Same expectation rules as the Z-Stack adapter: the command's response, else a Default Response
    // unless the frame disabled it.
    const command = zclFrame.command;
    const responseId =
      command.response !== undefined && !disableResponse
        ? command.response
        : zclFrame.header.frameControl.disableDefaultResponse
          ? undefined
          : Zcl.Foundation.defaultRsp.ID;
    const waiter =
      responseId === undefined
        ? undefined
        : this.waitress
            .waitFor(
              {
                address: nwk,
                endpoint,
                clusterId: zclFrame.cluster.ID,
                commandId: responseId,
                transactionSequenceNumber: zclFrame.header.transactionSequenceNumber,
              },
              timeout,
            )
            .start();
    if (!this.air.sendZcl(nwk, endpoint, zclFrame.cluster.ID, zclFrame.toBuffer())) {
      if (waiter) this.waitress.remove(waiter.ID);
      await nextTick();
      throw undelivered(ieee);
    }
    return waiter ? await waiter.promise : undefined;
  }

  /** The simulated network has no groups and no broadcast listeners. */
  override async sendZclFrameToGroup(): Promise<void> {}

  override async sendZclFrameToAll(): Promise<void> {}

  override async setChannelInterPAN(): Promise<void> {
    throw new Error("InterPAN is not simulated");
  }

  override async sendZclFrameInterPANToIeeeAddr(): Promise<void> {
    throw new Error("InterPAN is not simulated");
  }

  override sendZclFrameInterPANBroadcast(zclFrame: Zcl.Frame, timeout: number, disableResponse: false): Promise<ZclPayload>;
  override sendZclFrameInterPANBroadcast(zclFrame: Zcl.Frame, timeout: number, disableResponse: true): Promise<undefined>;
  override sendZclFrameInterPANBroadcast(zclFrame: Zcl.Frame, timeout: number, disableResponse: boolean): Promise<ZclPayload | undefined>;
  override async sendZclFrameInterPANBroadcast(): Promise<ZclPayload | undefined> {
    throw new Error("InterPAN is not simulated");
  }

  override async restoreChannelInterPAN(): Promise<void> {
    throw new Error("InterPAN is not simulated");
  }

  // ---- CoordinatorPort: what devices send ----------------------------------------------------------

  receiveZcl(nwk: number, sourceEndpoint: number, clusterId: number, frame: Buffer): void {
    const header = Zcl.Header.fromBuffer(frame);
    const payload: ZclPayload = {
      clusterID: clusterId,
      address: nwk,
      header,
      data: frame,
      endpoint: sourceEndpoint,
      linkquality: 200,
      groupID: 0,
      wasBroadcast: false,
      destinationEndpoint: COORDINATOR_ENDPOINT,
    };
    if (header) this.waitress.resolve({ ...payload, header });
    this.emit("zclPayload", payload);
  }

  receiveZdo(responseClusterId: number, frame: Buffer): void {
    this.emit("zdoResponse", responseClusterId, Zdo.Buffalo.readResponse(this.hasZdoMessageOverhead, responseClusterId, frame));
  }

  deviceJoined(nwk: number, ieee: string): void {
    this.emit("deviceJoined", { networkAddress: nwk, ieeeAddr: ieee });
  }

  deviceLeft(nwk: number, ieee: string): void {
    this.emit("deviceLeave", { networkAddress: nwk, ieeeAddr: ieee });
  }

  /** What a real adapter emits when its serial port closes under it. */
  disconnected(): void {
    this.emit("disconnected");
  }
}
