import { describe, expect, it } from 'vitest';
import { applyRegInfo } from './apply-reginfo.ts';
import { buildRegInfo } from './build-reginfo.ts';
import { parseRegInfo } from './parse-reginfo.ts';
import type { RegInfo } from './reginfo.ts';

/** A document in the style of the RFC 3680 §5.3 example: one AOR, one live and one expired contact. */
const EXAMPLE = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="4" state="full">
  <registration aor="sip:carol@ims.example.net" id="reg7" state="active">
    <contact id="c12" state="active" event="registered" duration-registered="5400" q="0.7">
      <uri>sip:carol@desk.example.net</uri>
    </contact>
    <contact id="c13" state="terminated" event="expired" duration-registered="1800" q="0.4">
      <uri>sip:carol@laptop.example.net</uri>
    </contact>
  </registration>
</reginfo>`;

const FULL: RegInfo = {
  version: 0,
  state: 'full',
  registrations: [
    {
      aor: 'sip:alice@ims.lab',
      id: 'r1',
      state: 'active',
      contacts: [
        {
          id: 'c1',
          state: 'active',
          event: 'registered',
          uri: 'sip:alice@192.0.2.10:5060;transport=tcp',
          displayName: 'Alice <& "Co">',
          durationRegistered: 0,
          expires: 3600,
          q: '0.5',
          callId: 'a84b4c76e66710@pc33',
          cseq: 7,
          unknownParams: [
            { name: '+sip.instance', value: '"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"' },
            { name: 'reg-id', value: '1' },
          ],
        },
      ],
    },
    { aor: 'tel:+15550100', id: 'r2', state: 'init', contacts: [] },
  ],
};

describe('reginfo documents (RFC 3680 §5, §6)', () => {
  it('[RFC3680-5.3-example] reads a document like the RFC example: registrations, contacts, states and events', () => {
    const r = parseRegInfo(EXAMPLE);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.version).toBe(4);
    expect(r.value.state).toBe('full');
    const reg = r.value.registrations[0]!;
    expect(reg).toMatchObject({ aor: 'sip:carol@ims.example.net', id: 'reg7', state: 'active' });
    expect(reg.contacts.map((c) => [c.id, c.state, c.event, c.uri, c.durationRegistered, c.q])).toEqual([
      ['c12', 'active', 'registered', 'sip:carol@desk.example.net', 5400, '0.7'],
      ['c13', 'terminated', 'expired', 'sip:carol@laptop.example.net', 1800, '0.4'],
    ]);
  });

  it('[RFC3680-6-schema] MUST build a document that parses back to the same values (escaping included)', () => {
    const xml = buildRegInfo(FULL);
    expect(xml).toContain('xmlns="urn:ietf:params:xml:ns:reginfo"');
    expect(xml).toContain('&lt;urn:uuid:');
    const r = parseRegInfo(Buffer.from(xml));
    if (!r.ok) throw new Error(r.error);
    expect(r.value).toEqual(FULL);
  });

  it('[RFC3680-6-schema] accepts a prefixed reginfo namespace and ignores elements of other namespaces', () => {
    const xml = `<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" xmlns:gr="urn:ietf:params:xml:ns:gruuinfo" version="1" state="partial">
      <r:registration aor="sip:a@b" id="x" state="terminated"><r:contact id="1" state="terminated" event="deactivated"><r:uri>sip:a@h</r:uri><gr:pub-gruu uri="sip:a@b;gr"/></r:contact></r:registration></r:reginfo>`;
    const r = parseRegInfo(xml);
    if (!r.ok) throw new Error(r.error);
    expect(r.value.registrations[0]!.contacts[0]).toMatchObject({ event: 'deactivated', uri: 'sip:a@h' });
  });

  it.each([
    ['not XML', 'hello', /well-formed/],
    [
      'unclosed element',
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full">',
      /well-formed/,
    ],
    ['wrong namespace', '<reginfo xmlns="urn:example" version="0" state="full"/>', /namespace/],
    ['wrong root', '<presence xmlns="urn:ietf:params:xml:ns:reginfo"/>', /not reginfo/],
    [
      'bad state',
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="most"/>',
      /state 'most'/,
    ],
    ['missing version', '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" state="full"/>', /'version'/],
    [
      'negative expires',
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"><registration aor="sip:a@b" id="1" state="active"><contact id="1" state="active" event="registered" expires="-1"><uri>sip:x@y</uri></contact></registration></reginfo>',
      /expires '-1'/,
    ],
    [
      'unknown event',
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"><registration aor="sip:a@b" id="1" state="active"><contact id="1" state="active" event="teleported"><uri>sip:x@y</uri></contact></registration></reginfo>',
      /event 'teleported'/,
    ],
    [
      'contact without uri',
      '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"><registration aor="sip:a@b" id="1" state="active"><contact id="1" state="active" event="registered"/></registration></reginfo>',
      /exactly one uri/,
    ],
    [
      'DOCTYPE with entities',
      '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="0" state="full"/>',
      /DOCTYPE/,
    ],
  ])('[RFC3680-6-schema] refuses a document with %s, naming the fault', (_what, xml, reason) => {
    const r = parseRegInfo(xml);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });
});

describe('subscriber view of the registration state (RFC 3680 §4.8, §5.2)', () => {
  const partial = (version: number, contacts: RegInfo['registrations'][number]['contacts']): RegInfo => ({
    version,
    state: 'partial',
    registrations: [{ aor: 'sip:alice@ims.lab', id: 'r1', state: 'active', contacts }],
  });
  const c2 = { id: 'c2', state: 'active', event: 'created', uri: 'sip:alice@h2', unknownParams: [] } as const;

  it('[RFC3680-5.2-partial-merge] a full document replaces the view; a partial one adds, replaces and removes contacts by id', () => {
    const first = applyRegInfo(undefined, FULL);
    if (first.kind !== 'applied') throw new Error(first.kind);
    const added = applyRegInfo(first.state, partial(1, [c2]));
    if (added.kind !== 'applied') throw new Error(added.kind);
    expect(added.state.registrations[0]!.contacts.map((c) => c.id)).toEqual(['c1', 'c2']);
    const removed = applyRegInfo(added.state, partial(2, [{ ...c2, state: 'terminated', event: 'expired' }]));
    if (removed.kind !== 'applied') throw new Error(removed.kind);
    expect(removed.state.registrations[0]!.contacts.map((c) => c.id)).toEqual(['c1']);
    expect(removed.state.version).toBe(2);
  });

  it('[RFC3680-4.8-version] ignores a version already seen and reports a gap before a partial document', () => {
    const first = applyRegInfo(undefined, FULL);
    if (first.kind !== 'applied') throw new Error(first.kind);
    expect(applyRegInfo(first.state, { ...FULL, version: 0 })).toEqual({ kind: 'stale' });
    expect(applyRegInfo(first.state, partial(3, [c2]))).toEqual({ kind: 'gap', expected: 1 });
    expect(applyRegInfo(undefined, partial(0, [c2]))).toEqual({ kind: 'gap', expected: 0 });
  });
});
