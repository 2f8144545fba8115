import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeOpc } from '../../sip/auth/index.ts';
import { loadSubscribersFile, parseSubscribers } from './subscribers.ts';

const DEFAULT_FILE = fileURLToPath(new URL('./subscribers.default.json', import.meta.url));
const alice = { impi: 'alice@ims.lab', impus: ['sip:alice@ims.lab'], auth: ['digest-md5'], password: 'pw' };
const aka = { k: '465b5ce8b199b49faa5f0a2ee238a6bc', sqn: 1, amf: '8000' };

function errorsOf(json: unknown): readonly string[] {
  const r = parseSubscribers(json);
  return r.ok ? [] : r.errors;
}

describe('lab core subscribers file', () => {
  it('[LABCORE-subscribers-file] the default file holds digest and AKA lab users, found by IMPI and by any IMPU of their set', () => {
    const r = loadSubscribersFile(DEFAULT_FILE);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const dir = r.subscribers;
    expect(dir.all.map((s) => s.impi)).toEqual([
      'alice@ims.lab',
      'bob@ims.lab',
      'carol@ims.lab',
      // the anonymous pool of store/seed.lab.json (guest access, TS 33.203 Annex X.4)
      'guest1@ims.lab',
      'guest2@ims.lab',
      'guest3@ims.lab',
    ]);
    expect(dir.byImpu('tel:+1-555-0100')?.impi).toBe('alice@ims.lab');
    expect(dir.byImpu('sip:Alice@IMS.LAB;user=phone')).toBeUndefined();
    expect(dir.byImpu('sip:alice@IMS.lab;transport=tcp')?.impi).toBe('alice@ims.lab');
    expect(dir.byImpi('CAROL@ims.lab')?.aka?.sqn).toBe(32n);
    expect(dir.byImpi('alice@ims.lab')?.auth).toEqual(['digest-sha256', 'digest-md5']);
  });

  it('[LABCORE-subscribers-file] derives OPc from OP when the file gives op', () => {
    const op = 'cdc202d5123e20f62b6d676ac72cb318';
    const r = parseSubscribers({ subscribers: [{ ...alice, auth: ['akav1-md5'], ...aka, op }] });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const key = Buffer.from(aka.k, 'hex');
    expect(Buffer.from(r.subscribers.all[0]!.aka!.opc).toString('hex')).toBe(
      computeOpc(key, Buffer.from(op, 'hex')).toString('hex'),
    );
  });

  it.each([
    ['no subscribers array', [], /"subscribers" array/],
    ['an empty array', { subscribers: [] }, /empty/],
    [
      'a bad IMPI',
      { subscribers: [{ ...alice, impi: 'alice' }] },
      /subscribers\[0\] \(alice\): impi must be/,
    ],
    [
      'a bad IMPU',
      { subscribers: [{ ...alice, impus: ['mailto:a@b'] }] },
      /\(alice@ims.lab\): impus\[0\] is not/,
    ],
    ['an unknown scheme', { subscribers: [{ ...alice, auth: ['basic'] }] }, /auth\[0\] must be one of/],
    ['digest without password', { subscribers: [{ ...alice, password: undefined }] }, /password is required/],
    [
      'AKA without k',
      { subscribers: [{ ...alice, auth: ['akav2-md5'], opc: aka.k, sqn: 1, amf: '8000' }] },
      /k is required by AKA/,
    ],
    [
      'AKA with a short opc',
      { subscribers: [{ ...alice, auth: ['akav1-md5'], ...aka, opc: 'abcd' }] },
      /opc is required by AKA: 32 hex/,
    ],
    [
      'AKA without sqn',
      { subscribers: [{ ...alice, auth: ['akav1-md5'], ...aka, opc: aka.k, sqn: -1 }] },
      /sqn is required/,
    ],
    ['an unknown field', { subscribers: [{ ...alice, pasword: 'x' }] }, /pasword is not a known field/],
    [
      'an IMPU in two sets',
      { subscribers: [alice, { ...alice, impi: 'a2@ims.lab', impus: ['sip:alice@IMS.LAB'] }] },
      /subscribers\[1\] \(a2@ims.lab\): impus holds sip:alice@IMS.LAB, already in subscribers\[0\]/,
    ],
  ])(
    '[LABCORE-subscribers-file] refuses %s with an error naming the entry and field',
    (_what, json, error) => {
      expect(errorsOf(json).join('\n')).toMatch(error);
    },
  );

  it('[LABCORE-subscribers-file] reports a file that is missing or not JSON with its path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-core-subs-'));
    try {
      const file = path.join(dir, 'subs.json');
      writeFileSync(file, '{ not json');
      const bad = loadSubscribersFile(file);
      expect(bad.ok ? '' : bad.errors[0]).toMatch(/subs.json is not JSON/);
      const missing = loadSubscribersFile(path.join(dir, 'none.json'));
      expect(missing.ok ? '' : missing.errors[0]).toMatch(/cannot read subscribers file .*none.json/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
