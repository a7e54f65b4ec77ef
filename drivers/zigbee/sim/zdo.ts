// ZDO as a simulated node answers it: real response bytes (transaction sequence number first, as on air),
// which the simulated adapter parses with herdsman's own ZDO parser, like the Ember and ZoH adapters do.
import { Zdo } from "zigbee-herdsman";

export interface SimpleDescriptor {
  readonly endpoint: number;
  readonly profileId: number;
  readonly deviceId: number;
  readonly inClusters: readonly number[];
  readonly outClusters: readonly number[];
}

export interface NodeDescription {
  readonly nwk: number;
  readonly ieee: string;
  /** 0 coordinator, 1 router, 2 end device. */
  readonly logicalType: number;
  readonly manufacturerCode: number;
  readonly endpoints: readonly SimpleDescriptor[];
}

/** The response cluster of a ZDO request. */
export function responseClusterOf(requestCluster: number): number {
  return requestCluster | 0x8000;
}

/** IEEE addresses are written "0x" + big-endian hex; on air they are little-endian. */
export function eui64Bytes(ieee: string): Buffer {
  return Buffer.from(ieee.replace(/^0x/, ""), "hex").reverse();
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function nodeDescriptor(node: NodeDescription): Buffer {
  // MAC capabilities: end devices are battery RFDs that sleep; routers are mains FFDs that listen.
  const mac = node.logicalType === 2 ? 0x80 : 0x8e;
  const serverMask = 22 << 9; // stack compliance revision 22
  return Buffer.concat([
    u16(node.nwk),
    Buffer.from([node.logicalType & 0x07, 0x08 << 3, mac]), // frequency band: 2.4 GHz
    u16(node.manufacturerCode),
    Buffer.from([82]),
    u16(82),
    u16(serverMask),
    u16(82),
    Buffer.from([0]),
  ]);
}

function simpleDescriptor(node: NodeDescription, descriptor: SimpleDescriptor): Buffer {
  const body = Buffer.concat([
    Buffer.from([descriptor.endpoint]),
    u16(descriptor.profileId),
    u16(descriptor.deviceId),
    Buffer.from([0, descriptor.inClusters.length]),
    ...descriptor.inClusters.map(u16),
    Buffer.from([descriptor.outClusters.length]),
    ...descriptor.outClusters.map(u16),
  ]);
  return Buffer.concat([u16(node.nwk), Buffer.from([body.length]), body]);
}

/**
 * The node's answer to a ZDO request (`request[0]` is the transaction sequence number), or undefined
 * for a request it does not answer at all. Requests it does not implement get NOT_SUPPORTED.
 */
export function answerZdo(node: NodeDescription, clusterId: number, request: Buffer): Buffer | undefined {
  const tsn = request[0] ?? 0;
  const reply = (status: number, body: Buffer = Buffer.alloc(0)): Buffer => Buffer.concat([Buffer.from([tsn, status]), body]);
  switch (clusterId) {
    case Zdo.ClusterId.NODE_DESCRIPTOR_REQUEST:
      return reply(Zdo.Status.SUCCESS, nodeDescriptor(node));
    case Zdo.ClusterId.ACTIVE_ENDPOINTS_REQUEST:
      return reply(Zdo.Status.SUCCESS, Buffer.concat([u16(node.nwk), Buffer.from([node.endpoints.length, ...node.endpoints.map((e) => e.endpoint)])]));
    case Zdo.ClusterId.SIMPLE_DESCRIPTOR_REQUEST: {
      const descriptor = node.endpoints.find((e) => e.endpoint === request[3]);
      return descriptor ? reply(Zdo.Status.SUCCESS, simpleDescriptor(node, descriptor)) : reply(Zdo.Status.INVALID_EP, u16(node.nwk));
    }
    case Zdo.ClusterId.BIND_REQUEST:
    case Zdo.ClusterId.UNBIND_REQUEST:
    case Zdo.ClusterId.LEAVE_REQUEST:
      return reply(Zdo.Status.SUCCESS);
    default:
      return reply(Zdo.Status.NOT_SUPPORTED);
  }
}

/** The announcement a device broadcasts when it comes (back) on the air. */
export function endDeviceAnnounce(node: NodeDescription, tsn: number): Buffer {
  return Buffer.concat([Buffer.from([tsn]), u16(node.nwk), eui64Bytes(node.ieee), Buffer.from([node.logicalType === 2 ? 0x80 : 0x8e])]);
}
