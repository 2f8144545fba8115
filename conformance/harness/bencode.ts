/**
 * Bencode for the harness's NG probes and smoke tests: the product's strict codec
 * (eims-agw/ng/bencode.ts), re-exported so that there is one implementation.
 */
export { asDict, BencodeError, type BValue, bdecode, bencode } from '../../eims-agw/ng/bencode.ts';
