/**
 * What the user typed in the address field, as the URI to call or message: a SIP URI as is; a
 * phone number (digits, `+`, spaces, dashes, dots, brackets) as a tel URI when global (RFC 3966
 * §5.1.4, `+` first) or as `sip:<digits>@<home domain>;user=phone` when local (RFC 3261 §19.1.6);
 * a user name or `user@host` as a SIP URI in the home domain.
 */

export type AddressResult = { ok: true; uri: string } | { ok: false; reason: string };

const SIP_URI = /^sips?:[^\s@]+@[^\s@]+$|^sips?:[^\s@]+$/i;
const TEL_URI = /^tel:\+?[0-9*#.()-]+$/i;
const PHONE = /^\+?[0-9*#][0-9*#\s().-]*$/;
const USER = /^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$/;
const HOST = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/;

export function toTargetUri(input: string, homeDomain: string): AddressResult {
  const text = input.trim();
  if (text === '') return { ok: false, reason: 'Enter a number or an address.' };
  if (SIP_URI.test(text) || TEL_URI.test(text)) return { ok: true, uri: text };
  if (PHONE.test(text)) {
    const digits = text.replace(/[\s().-]/g, '');
    if (digits.startsWith('+')) {
      if (!/^\+[0-9]{3,15}$/.test(digits))
        return { ok: false, reason: 'An international number is + and 3 to 15 digits.' };
      return { ok: true, uri: `tel:${digits}` };
    }
    return { ok: true, uri: `sip:${digits}@${homeDomain};user=phone` };
  }
  const at = text.lastIndexOf('@');
  const user = at < 0 ? text : text.slice(0, at);
  const host = at < 0 ? homeDomain : text.slice(at + 1);
  if (!USER.test(user) || !HOST.test(host))
    return { ok: false, reason: `“${text}” is not a number or an address.` };
  return { ok: true, uri: `sip:${user}@${host}` };
}

/** A short form of a URI for display: the user part and, outside the home domain, the host. */
export function displayAddress(uri: string, homeDomain: string): string {
  const tel = /^tel:(.+)$/i.exec(uri);
  if (tel?.[1] !== undefined) return tel[1];
  const sip = /^sips?:([^@;]+)@([^;>]+)/i.exec(uri);
  if (sip?.[1] === undefined || sip[2] === undefined) return uri;
  return sip[2].toLowerCase() === homeDomain.toLowerCase() ? sip[1] : `${sip[1]}@${sip[2]}`;
}
