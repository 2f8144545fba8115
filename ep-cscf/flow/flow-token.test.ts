import { describe, expect, it } from 'vitest';
import { FlowTokens } from './flow-token.ts';

describe('flow tokens (RFC 5626 §5.2)', () => {
  it('[RFC5626-5.2-flow-token] decodes a token it issued back to the connection', () => {
    const t = new FlowTokens('key');
    const token = t.encode('ws-42');
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(t.decode(token)).toBe('ws-42');
  });

  it('[RFC5626-5.2-flow-token] refuses a token that was altered or issued under another key', () => {
    const t = new FlowTokens('key');
    const token = t.encode('ws-42');
    const other = new FlowTokens('other').encode('ws-42');
    expect(t.decode(other)).toBeUndefined();
    const forged = Buffer.from(token, 'base64url');
    forged[forged.length - 1] = forged[forged.length - 1]! ^ 1;
    expect(t.decode(forged.toString('base64url'))).toBeUndefined();
    expect(t.decode('not-a-token')).toBeUndefined();
    expect(t.decode('')).toBeUndefined();
  });

  it('[RFC5626-5.2-flow-token] keys tokens randomly when no key is configured', () => {
    expect(new FlowTokens().decode(new FlowTokens().encode('ws-1'))).toBeUndefined();
  });
});
