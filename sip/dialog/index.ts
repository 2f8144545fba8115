/** sip/dialog: the dialog state of RFC 3261 §12 that UAs (and reg-event subscribers/notifiers) need. See README.md. */
export { dialogAsUac, dialogAsUas, type UasDialogOptions } from './create-dialog.ts';
export { addressWithoutTag, Dialog, type DialogState, type InDialogRequestOptions } from './dialog.ts';
export { type DialogId, dialogIdOfRequest, dialogIdOfResponse, dialogKey } from './dialog-id.ts';
export { nextHopDestination } from './next-hop.ts';
