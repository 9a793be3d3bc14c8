import { describe, expect, it } from 'vitest';

import { isComplete, localTimestamp, specVerdict, toErrorSchema } from '@/features/station/lib/form-logic';
import { displayScan, GS, isGroupSeparatorKey, looksLikeGs1 } from '@/lib/scan-input';

describe('specVerdict (same rule as the server)', () => {
  const limits = { lsl: 4.5, warn_low: 4.8, target: 5, warn_high: 5.2, usl: 5.5 };
  it.each([
    ['5.0', 'pass'],
    [4.5, 'warn'],
    ['5.3', 'warn'],
    ['5.51', 'fail'],
    [4.49, 'fail'],
  ])('%s is %s', (value, verdict) => {
    expect(specVerdict(value, limits)).toBe(verdict);
  });

  it('says nothing without a number or without limits', () => {
    expect(specVerdict('', limits)).toBeUndefined();
    expect(specVerdict('abc', limits)).toBeUndefined();
    expect(specVerdict(5, { target: 5 })).toBeUndefined();
  });
});

describe('toErrorSchema', () => {
  it('puts payload problems on their exact field, group items included, and keeps the rest', () => {
    const { schema, other } = toErrorSchema([
      { path: ['payload', 'components', 1, 'qty'], field: 'payload.components[1].qty', code: 'x', params: {}, message: 'Too many.' },
      { path: ['payload', 'voltage'], field: 'payload.voltage', code: 'x', params: {}, message: 'Not a number.' },
      { path: ['payload', 'voltage'], field: 'payload.voltage', code: 'y', params: {}, message: 'Required.' },
      { path: ['subject'], field: 'subject', code: 'z', params: {}, message: 'Out of sequence.' },
    ]);
    expect(schema).toEqual({
      components: { '1': { qty: { __errors: ['Too many.'] } } },
      voltage: { __errors: ['Not a number.', 'Required.'] },
    });
    expect(other.map((e) => e.message)).toEqual(['Out of sequence.']);
  });
});

describe('isComplete', () => {
  const schema = {
    type: 'object',
    required: ['lot'],
    properties: {
      lot: { type: 'string' },
      parts: {
        type: 'array',
        minItems: 1,
        items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      },
    },
  };
  it('needs every required value, in group items too', () => {
    expect(isComplete(schema, {})).toBe(false);
    expect(isComplete(schema, { lot: 'L1' })).toBe(false); // minItems
    expect(isComplete(schema, { lot: 'L1', parts: [{}] })).toBe(false);
    expect(isComplete(schema, { lot: 'L1', parts: [{ id: 'P' }] })).toBe(true);
  });
});

describe('localTimestamp', () => {
  it('is ISO 8601 with a zone offset', () => {
    expect(localTimestamp(new Date('2026-11-28T10:00:00Z'))).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/,
    );
  });
});

describe('scan input', () => {
  it('treats Ctrl+] and a literal GS as the group separator', () => {
    expect(isGroupSeparatorKey({ key: ']', ctrlKey: true })).toBe(true);
    expect(isGroupSeparatorKey({ key: GS, ctrlKey: false })).toBe(true);
    expect(isGroupSeparatorKey({ key: ']', ctrlKey: false })).toBe(false);
  });

  it('recognises GS1 and shows separators', () => {
    expect(looksLikeGs1(']d20109506000134352')).toBe(true);
    expect(looksLikeGs1('(01)09506000134352(10)A1')).toBe(true);
    expect(looksLikeGs1('https://id.example.com/01/09506000134352/10/A1')).toBe(true);
    expect(looksLikeGs1('RES-2611-A')).toBe(false);
    expect(displayScan(`10A1${GS}21S`)).toBe('10A1⟨GS⟩21S');
  });
});
