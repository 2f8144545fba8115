/**
 * eIMS-AGW configuration: one schema, read from environment variables (README.md's table is
 * checked against it by config.test.ts).
 */
import { type EnvVar, host, integerIn, oneOf, optionalPath, type Parsed } from '../app/config.ts';

export interface NgAddress {
  readonly host: string;
  readonly port: number;
}

/** `host:port,[v6]:port,...`; empty: none (then a local rtpengine may be started). */
export function rtpengineList(raw: string): Parsed<readonly NgAddress[]> {
  const expected = 'a comma-separated list of host:port (IPv6 as [addr]:port)';
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const out: NgAddress[] = [];
  for (const item of items) {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(item);
    const name = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (name === undefined || !host(name).ok || port < 1 || port > 65_535) return { ok: false, expected };
    if (out.some((a) => a.host === name && a.port === port))
      return { ok: false, expected: `${expected} without repeats` };
    out.push({ host: name, port });
  }
  return { ok: true, value: out };
}

function codecList(raw: string): Parsed<readonly string[]> {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.every((name) => /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name))
    ? { ok: true, value: names }
    : { ok: false, expected: 'a comma-separated list of codec names such as PCMA,PCMU,G722' };
}

function optionalName(raw: string): Parsed<string | undefined> {
  if (raw === '') return { ok: true, value: undefined };
  return /^[A-Za-z0-9_:.-]+$/.test(raw)
    ? { ok: true, value: raw }
    : { ok: false, expected: 'an rtpengine interface name (letters, digits, _ : . -)' };
}

export const EIMS_AGW_SCHEMA = {
  rtpengines: {
    env: 'RTPENGINES',
    meaning:
      'NG control addresses of the rtpengine instances, host:port comma-separated; empty: start a local rtpengine from RTPENGINE_BINARY on loopback',
    default: '',
    parse: rtpengineList,
  },
  timeoutMs: {
    env: 'RTPENGINE_TIMEOUT_MS',
    meaning: 'Milliseconds to wait for an NG reply before retransmitting (same cookie)',
    default: '500',
    parse: integerIn(10, 60_000),
  },
  retries: {
    env: 'RTPENGINE_RETRIES',
    meaning:
      'NG retransmissions before a request fails (with the default timeout an unreachable rtpengine fails in 1.5 s); an answer or a delete gets two more, each wait doubling (7.5 s more by default)',
    default: '2',
    parse: integerIn(0, 10),
  },
  pingIntervalMs: {
    env: 'RTPENGINE_PING_INTERVAL_MS',
    meaning: 'Milliseconds between health-check pings to each rtpengine',
    default: '5000',
    parse: integerIn(100, 3_600_000),
  },
  selection: {
    env: 'RTPENGINE_SELECTION',
    meaning: 'How a new call picks its rtpengine among the healthy ones: least-loaded or round-robin',
    default: 'least-loaded',
    parse: oneOf(['least-loaded', 'round-robin'] as const),
  },
  pinIdleS: {
    env: 'MEDIA_PIN_IDLE_S',
    meaning:
      'Seconds after which a call with no offer/answer/query/delete is forgotten by the pool (a missed delete)',
    default: '86400',
    parse: integerIn(60, 31_536_000),
  },
  ice: {
    env: 'MEDIA_ICE',
    meaning: 'ICE toward WebRTC clients: full (rtpengine runs full ICE) or lite (it announces ICE-lite)',
    default: 'full',
    parse: oneOf(['full', 'lite'] as const),
  },
  wicToWic: {
    env: 'MEDIA_WIC_TO_WIC',
    meaning: 'Calls between two WebRTC clients: anchor (through rtpengine) or end-to-end (SDP untouched)',
    default: 'anchor',
    parse: oneOf(['anchor', 'end-to-end'] as const),
  },
  imsCodecs: {
    env: 'MEDIA_IMS_CODECS',
    meaning: 'Codecs always offered toward IMS, transcoded when the WebRTC client did not offer them',
    default: 'PCMA,PCMU,G722,telephone-event',
    parse: codecList,
  },
  imsMask: {
    env: 'MEDIA_IMS_MASK',
    meaning:
      'Codecs of the WebRTC client not offered toward IMS but still accepted from it (transcoded), e.g. opus',
    default: '',
    parse: codecList,
  },
  wicCodecs: {
    env: 'MEDIA_WIC_CODECS',
    meaning: 'Codecs added by transcoding to offers from IMS toward a WebRTC client',
    default: 'opus',
    parse: codecList,
  },
  wicInterface: {
    env: 'RTPENGINE_WIC_INTERFACE',
    meaning:
      'Name of the rtpengine interface facing WebRTC clients (with RTPENGINE_IMS_INTERFACE: sent as direction)',
    default: '',
    parse: optionalName,
  },
  imsInterface: {
    env: 'RTPENGINE_IMS_INTERFACE',
    meaning: 'Name of the rtpengine interface facing the IMS core',
    default: '',
    parse: optionalName,
  },
  binary: {
    env: 'RTPENGINE_BINARY',
    meaning: 'rtpengine executable started on loopback when RTPENGINES is empty; empty: never start one',
    default: '/usr/bin/rtpengine',
    parse: optionalPath,
  },
  localNgPort: {
    env: 'RTPENGINE_LOCAL_NG_PORT',
    meaning: 'UDP port of the NG control socket of the local rtpengine',
    default: '2223',
    parse: integerIn(1, 65_535),
  },
  localInterface: {
    env: 'RTPENGINE_LOCAL_INTERFACE',
    meaning: 'Address the local rtpengine listens on and puts in SDP (browsers must reach it)',
    default: '127.0.0.1',
    parse: host,
  },
  localPortMin: {
    env: 'RTPENGINE_LOCAL_PORT_MIN',
    meaning: 'Lowest media port of the local rtpengine',
    default: '40000',
    parse: integerIn(1024, 65_535),
  },
  localPortMax: {
    env: 'RTPENGINE_LOCAL_PORT_MAX',
    meaning: 'Highest media port of the local rtpengine',
    default: '40999',
    parse: integerIn(1024, 65_535),
  },
} as const satisfies Record<string, EnvVar<unknown>>;
