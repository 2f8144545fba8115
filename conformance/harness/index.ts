/** Public surface of the conformance harness; peer modules live in ../<peer>/. */
export { type BValue, bdecode, bencode } from './bencode.ts';
export { type BinarySpec, findBinary, requireBinary } from './binary.ts';
export { formatOutput, PeerMissingError, PeerStartError } from './errors.ts';
export {
  isPortFree,
  PortAllocator,
  type PortAllocatorOptions,
  type PortKind,
  type PortRange,
} from './ports.ts';
export { type TcpStep, tcpConnect, tcpExchange, type UdpReply, udpExchange } from './probes.ts';
export {
  delay,
  describeExit,
  type ExitStatus,
  groupAlive,
  type PeerProcess,
  type Readiness,
  type StartProcessOptions,
  startProcess,
} from './process.ts';
export { type RawSipRequest, type RawSipResponse, sendSipUdp, sipOptionsProbe } from './sip-probe.ts';
export { createTempDir, type TempDir } from './temp-dir.ts';
export { renderTemplate, renderTemplateFile } from './template.ts';
