/** waf/: the WebRTC Authorization Function (README.md). */
export { GUEST_GRANT, RESOURCE_CLIENT_ID, WIC_CLIENT_ID } from './clients.ts';
export { WAF_SCHEMA, type WafConfig } from './config.ts';
export { type WafRoleHandle, wafRole } from './role.ts';
export { type RunningWaf, type StartWafOptions, startWaf } from './start-waf.ts';
export { createWaf, WAF_MOUNT_PATH, type Waf, type WafOptions } from './waf.ts';
