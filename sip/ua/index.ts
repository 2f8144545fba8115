/** sip/ua: UA helpers on top of the transaction layer. See README.md. */

export { sendRequest, type UacOptions } from './uac.ts';
