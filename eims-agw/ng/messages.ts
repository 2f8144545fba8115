/**
 * The NG commands this product uses, typed: requests in camelCase turned into rtpengine's
 * dictionaries, and replies parsed back into typed objects at the edge. Key names and values
 * follow rtpengine's NG protocol document (docs/ng_control_protocol.md of sipwise/rtpengine).
 */
import { NgProtocolError } from '../errors.ts';
import { asDict, asList, type BInput, type BValue } from './bencode.ts';

export type NgCommand = 'ping' | 'offer' | 'answer' | 'delete' | 'query' | 'list';
export type NgDict = { readonly [key: string]: BValue };
export type NgRequestDict = { readonly [key: string]: BInput | undefined };

export type TransportProtocol =
  | 'RTP/AVP'
  | 'RTP/AVPF'
  | 'RTP/SAVP'
  | 'RTP/SAVPF'
  | 'UDP/TLS/RTP/SAVP'
  | 'UDP/TLS/RTP/SAVPF';
export type IceMode = 'remove' | 'force' | 'default' | 'force-relay' | 'optional';
export type IceLite = 'forward' | 'backward' | 'both' | 'off';
export type DtlsMode = 'off' | 'passive' | 'active';
export type RtcpMux = 'offer' | 'require' | 'demux' | 'accept' | 'reject';
export type Replace =
  | 'origin'
  | 'session-connection'
  | 'SDP-version'
  | 'username'
  | 'zero-address'
  | 'force-increment-sdp-ver';

/** The `codec` dictionary: codec names such as `PCMA`, `opus`, `telephone-event`. */
export interface CodecOptions {
  readonly transcode?: readonly string[];
  readonly strip?: readonly string[];
  readonly mask?: readonly string[];
  readonly except?: readonly string[];
  readonly offer?: readonly string[];
  readonly accept?: readonly string[];
}

/** What rtpengine does to an SDP on its way through (offer and answer alike). */
export interface SdpOptions {
  readonly transportProtocol?: TransportProtocol;
  readonly ice?: IceMode;
  /** Only in offers: ICE-lite toward the recipient (`forward`), the sender (`backward`) or both. */
  readonly iceLite?: IceLite;
  readonly dtls?: DtlsMode;
  /** SDES options, e.g. `['off']`. */
  readonly sdes?: readonly string[];
  readonly rtcpMux?: readonly RtcpMux[];
  readonly codec?: CodecOptions;
  /** Plain flags, e.g. `generate mid`, `strip extmap`, `trust address`. */
  readonly flags?: readonly string[];
  readonly replace?: readonly Replace[];
  readonly addressFamily?: 'IP4' | 'IP6';
  /** Named rtpengine interfaces [sender side, recipient side]; initial offers only. */
  readonly direction?: readonly [string, string];
  readonly mediaAddress?: string;
  readonly label?: string;
}

export interface OfferRequest extends SdpOptions {
  readonly callId: string;
  readonly fromTag: string;
  readonly sdp: string;
  readonly viaBranch?: string;
}

export interface AnswerRequest extends OfferRequest {
  readonly toTag: string;
}

export interface DeleteRequest {
  readonly callId: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly viaBranch?: string;
  /** Seconds before rtpengine forgets the call; 0 deletes at once. */
  readonly deleteDelay?: number;
}

export interface QueryRequest {
  readonly callId: string;
  readonly fromTag?: string;
  readonly toTag?: string;
}

export interface SdpReply {
  readonly sdp: string;
  readonly warning: string | undefined;
}

export interface PacketStats {
  readonly packets: number;
  readonly bytes: number;
  readonly errors: number;
}

export interface QueryReply {
  /** Creation time, seconds since the UNIX epoch. */
  readonly created: number | undefined;
  /** The SIP tags rtpengine knows for the call, each with its media protocols. */
  readonly tags: readonly { readonly tag: string; readonly protocols: readonly string[] }[];
  readonly totals: { readonly rtp: PacketStats; readonly rtcp: PacketStats };
  /** The whole reply, for diagnostics. */
  readonly raw: NgDict;
}

export interface DeleteReply {
  readonly warning: string | undefined;
}

export interface ListReply {
  readonly calls: readonly string[];
}

function list(values: readonly string[] | undefined): readonly string[] | undefined {
  return values !== undefined && values.length > 0 ? values : undefined;
}

function codecDict(codec: CodecOptions | undefined): NgRequestDict | undefined {
  if (codec === undefined) return undefined;
  const dict: NgRequestDict = {
    transcode: list(codec.transcode),
    strip: list(codec.strip),
    mask: list(codec.mask),
    except: list(codec.except),
    offer: list(codec.offer),
    accept: list(codec.accept),
  };
  return Object.values(dict).some((v) => v !== undefined) ? dict : undefined;
}

export function offerDict(req: OfferRequest): NgRequestDict {
  return {
    command: 'offer',
    'call-id': req.callId,
    'from-tag': req.fromTag,
    'via-branch': req.viaBranch,
    sdp: req.sdp,
    'transport-protocol': req.transportProtocol,
    ICE: req.ice,
    'ICE-lite': req.iceLite,
    DTLS: req.dtls,
    SDES: list(req.sdes),
    'rtcp-mux': list(req.rtcpMux),
    codec: codecDict(req.codec),
    flags: list(req.flags),
    replace: list(req.replace),
    'address family': req.addressFamily,
    direction: req.direction,
    'media address': req.mediaAddress,
    label: req.label,
  };
}

export function answerDict(req: AnswerRequest): NgRequestDict {
  // ICE-lite and direction are offer-only; rtpengine ignores them in answers.
  const { iceLite: _iceLite, direction: _direction, ...rest } = req;
  return { ...offerDict(rest), command: 'answer', 'to-tag': req.toTag };
}

export function deleteDict(req: DeleteRequest): NgRequestDict {
  return {
    command: 'delete',
    'call-id': req.callId,
    'from-tag': req.fromTag,
    'to-tag': req.toTag,
    'via-branch': req.viaBranch,
    'delete delay': req.deleteDelay,
  };
}

export function queryDict(req: QueryRequest): NgRequestDict {
  return { command: 'query', 'call-id': req.callId, 'from-tag': req.fromTag, 'to-tag': req.toTag };
}

export function listDict(limit: number | undefined): NgRequestDict {
  return { command: 'list', limit };
}

function text(dict: NgDict, key: string): string | undefined {
  const value = dict[key];
  return typeof value === 'string' ? value : undefined;
}

function int(dict: NgDict | undefined, key: string): number {
  const value = dict?.[key];
  return typeof value === 'number' ? value : 0;
}

export function parseSdpReply(command: NgCommand, reply: NgDict): SdpReply {
  const sdp = text(reply, 'sdp');
  if (sdp === undefined || sdp === '') throw new NgProtocolError(command, 'no sdp in the reply');
  return { sdp, warning: text(reply, 'warning') };
}

function stats(value: BValue | undefined): PacketStats {
  const dict = asDict(value);
  return { packets: int(dict, 'packets'), bytes: int(dict, 'bytes'), errors: int(dict, 'errors') };
}

export function parseQueryReply(reply: NgDict): QueryReply {
  const tags = asDict(reply.tags);
  if (tags === undefined) throw new NgProtocolError('query', 'no tags in the reply');
  const totals = asDict(reply.totals);
  const created = reply.created;
  return {
    created: typeof created === 'number' ? created : undefined,
    tags: Object.entries(tags).map(([tag, info]) => ({
      tag,
      protocols: (asList(asDict(info)?.medias) ?? [])
        .map((media) => asDict(media)?.protocol)
        .filter((p): p is string => typeof p === 'string'),
    })),
    totals: { rtp: stats(totals?.RTP), rtcp: stats(totals?.RTCP) },
    raw: reply,
  };
}

export function parseListReply(reply: NgDict): ListReply {
  const calls = asList(reply.calls);
  if (calls === undefined) throw new NgProtocolError('list', 'no calls list in the reply');
  return { calls: calls.filter((c): c is string => typeof c === 'string') };
}
