// Raw Serial API frames between the simulated controller and the host. zwave-js 15.29's message
// classes cannot be used for these on the controller side (see test/drivers/zwave-mock-quirks.test.ts):
// some requests cannot be parsed there (ReplaceFailedNode recurses), some callbacks cannot be
// serialised (SmartStartHomeIDReceived writes only its update type), and parsed Add Node requests drop
// the NWI home id. So the pairing functions are read and answered as bytes, per the Host API.

/** Serial API frame types. */
const REQUEST = 0x00;
const RESPONSE = 0x01;
const SOF = 0x01;

/** Add Node status codes of the Host API (ADD_NODE_STATUS_*). */
export const AddNodeStatus = { Ready: 0x01, NodeFound: 0x02, AddingSlave: 0x03, ProtocolDone: 0x05, Done: 0x06, Failed: 0x07 } as const;
/** Add Node modes (low nibble of the first byte). */
export const AddNodeMode = { Any: 0x01, Stop: 0x05, SmartStartDSK: 0x08, SmartStartListen: 0x09 } as const;
/** Remove Node status codes (REMOVE_NODE_STATUS_*). */
export const RemoveNodeStatus = { Ready: 0x01, NodeFound: 0x02, RemovingSlave: 0x03, Done: 0x06, Failed: 0x07 } as const;
export const RemoveNodeMode = { Any: 0x01, Stop: 0x05 } as const;
/** Remove Failed Node callback status (ZW_FAILED_NODE_*). */
export const RemoveFailedNodeStatus = { NodeOK: 0x00, NodeRemoved: 0x01, NodeNotRemoved: 0x02 } as const;
/** Replace Failed Node callback status. */
export const ReplaceFailedNodeStatus = { NodeOK: 0x00, FailedNodeReplace: 0x03, FailedNodeReplaceDone: 0x04, FailedNodeReplaceFailed: 0x05 } as const;
/** Application Update type of a SmartStart inclusion request (prime). */
export const SMART_START_HOME_ID_RECEIVED = 0x85;

function frame(type: number, functionType: number, payload: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  const body = [type, functionType, ...Array.from(payload)];
  const length = body.length + 1;
  const checksum = body.reduce((acc, b) => acc ^ b, 0xff ^ length);
  return Uint8Array.from([SOF, length, ...body, checksum]);
}

/** A request frame from the controller (callbacks, unsolicited updates). */
export function requestFrame(functionType: number, payload: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  return frame(REQUEST, functionType, payload);
}

/** A response frame from the controller (the immediate answer to a host request). */
export function responseFrame(functionType: number, payload: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  return frame(RESPONSE, functionType, payload);
}

export interface HostRequest {
  readonly functionType: number;
  readonly payload: Uint8Array;
}

/** The host request in a chunk of host data, or null for anything else (ACK/NAK/CAN, responses, garbage). */
export function parseHostRequest(data: Uint8Array): HostRequest | null {
  if (data.length < 5 || data[0] !== SOF) return null;
  const length = data[1] ?? 0;
  if (data.length < length + 2 || data[2] !== REQUEST) return null;
  const body = data.subarray(1, length + 1);
  const checksum = body.reduce((acc, b) => acc ^ b, 0xff);
  if (checksum !== data[length + 1]) return null;
  return { functionType: data[3] ?? 0, payload: data.subarray(4, length + 1) };
}
