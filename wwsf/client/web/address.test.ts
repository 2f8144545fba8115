import { describe, expect, it } from 'vitest';
import { displayAddress, toTargetUri } from './address.ts';

describe('address entry', () => {
  it('[RFC3966-5.1.4-global] MUST turn a + number into a tel URI and a local number into a user=phone SIP URI', () => {
    expect(toTargetUri('+1 (555) 010-0101', 'ims.lab')).toEqual({ ok: true, uri: 'tel:+15550100101' });
    expect(toTargetUri('5550101', 'ims.lab')).toEqual({ ok: true, uri: 'sip:5550101@ims.lab;user=phone' });
    expect(toTargetUri('+12', 'ims.lab').ok).toBe(false);
  });

  it('[WIC-address-domain] MUST complete a bare user name with the home domain and keep full URIs', () => {
    expect(toTargetUri(' bob ', 'ims.lab')).toEqual({ ok: true, uri: 'sip:bob@ims.lab' });
    expect(toTargetUri('bob@other.example', 'ims.lab')).toEqual({ ok: true, uri: 'sip:bob@other.example' });
    expect(toTargetUri('sip:bob@ims.lab', 'ims.lab')).toEqual({ ok: true, uri: 'sip:bob@ims.lab' });
    expect(toTargetUri('tel:+15550101', 'ims.lab')).toEqual({ ok: true, uri: 'tel:+15550101' });
    expect(toTargetUri('', 'ims.lab')).toEqual({ ok: false, reason: 'Enter a number or an address.' });
    expect(toTargetUri('bob smith', 'ims.lab').ok).toBe(false);
  });

  it('shows addresses of the home domain by their user part', () => {
    expect(displayAddress('sip:bob@ims.lab', 'ims.lab')).toBe('bob');
    expect(displayAddress('sip:bob@x.example;transport=ws', 'ims.lab')).toBe('bob@x.example');
    expect(displayAddress('tel:+15550101', 'ims.lab')).toBe('+15550101');
  });
});
