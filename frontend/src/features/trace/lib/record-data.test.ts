import { describe, expect, it } from 'vitest';

import { localInputToIso } from '@/features/trace/lib/format';
import { describeRecordData, nameRecordValues } from '@/features/trace/lib/record-data';

describe('describeRecordData', () => {
  it('shows a measurement with unit, spec limits and verdict', () => {
    expect(
      describeRecordData({ voltage: { value: 5.71, unit: 'V', lsl: 4.5, usl: 5.5, target: 5, result: 'fail' } }),
    ).toEqual([{ key: 'voltage', text: '5.71 V', result: 'fail', spec: '4.5–5.5 V' }]);
  });

  it('leaves out scanned identifiers (the event shows them) but keeps notes and numbers', () => {
    const scan = (code: string) => ({ raw: code, code, format: 'internal', ais: {} });
    expect(
      describeRecordData({ part: scan('CAP-2611-B'), qty: 1, note: 'C2 replaced', components: [{ lot: scan('X'), qty: 4 }] }),
    ).toEqual([
      { key: 'qty', text: '1' },
      { key: 'note', text: 'C2 replaced' },
    ]);
  });

  it('shows scans by their code and groups as key: value lists when asked', () => {
    const scan = (code: string) => ({ raw: code, code, format: 'internal', ais: {} });
    expect(
      describeRecordData({
        components: [
          { lot: scan('RES-2611-A'), qty: 4 },
          { lot: scan('CAP-2611-B'), qty: 2 },
        ],
        tool: scan('TQ-7'),
        note: 'C2 replaced',
        empty: null,
      }, { withScans: true }),
    ).toEqual([
      { key: 'components', text: 'lot: RES-2611-A, qty: 4; lot: CAP-2611-B, qty: 2' },
      { key: 'tool', text: 'TQ-7' },
      { key: 'note', text: 'C2 replaced' },
    ]);
  });

  it('writes one-sided limits', () => {
    expect(describeRecordData({ t: { value: 3, lsl: 1, result: 'pass' } })[0]!.spec).toBe('≥ 1');
  });
});

describe('localInputToIso', () => {
  it('turns a datetime-local value into an instant with its zone', () => {
    const iso = localInputToIso('2026-11-28T08:30')!;
    expect(iso).toMatch(/Z$/);
    expect(new Date(iso).getTime()).toBe(new Date(2026, 10, 28, 8, 30).getTime());
    expect(localInputToIso('')).toBeUndefined();
  });
});

describe('nameRecordValues', () => {
  const labels = {
    fields: {
      decision: { en: 'Decision', 'zh-CN': '放行结论' },
      defects: { en: 'Defects', 'zh-CN': '缺陷' },
      joints: { en: 'Joints', 'zh-CN': '连接点' },
      'joints.torque': { en: 'Torque', 'zh-CN': '扭矩' },
      'joints.position': { en: 'Joint', 'zh-CN': '拧紧点' },
    },
    options: {
      decision: { release: { en: 'Release for sale', 'zh-CN': '放行销售' } },
      defects: { scratch: { en: 'Scratch', 'zh-CN': '划痕' }, dent: { en: 'Dent', 'zh-CN': '凹痕' } },
      'joints.position': { A: { en: 'Joint A (ECU screw 1)', 'zh-CN': '拧紧点 A（ECU 螺钉 1）' } },
    },
  };
  const data = {
    decision: 'release',
    defects: ['scratch', 'dent', 'other'],
    joints: [{ torque: { value: 12.1, unit: 'N·m' }, position: 'A' }],
    note: 'ok',
  };

  it("names fields, choices and a group's fields by the form's labels in the user's language", () => {
    const named = nameRecordValues(describeRecordData(data), data, labels, 'zh-CN');
    expect(named.map((value) => `${value.label}: ${value.text}`)).toEqual([
      '放行结论: 放行销售',
      '缺陷: 划痕; 凹痕; other',
      '连接点: 扭矩: 12.1 N·m, 拧紧点: 拧紧点 A（ECU 螺钉 1）',
      'note: ok',
    ]);
    expect(nameRecordValues(describeRecordData(data), data, labels, 'en')[0]).toMatchObject({
      key: 'decision',
      label: 'Decision',
      text: 'Release for sale',
    });
  });

  it('shows keys and values as they are when the record has no labels', () => {
    const named = nameRecordValues(describeRecordData(data), data, undefined, 'en');
    expect(named.map((value) => `${value.label}: ${value.text}`)).toEqual([
      'decision: release',
      'defects: scratch; dent; other',
      'joints: torque: 12.1 N·m, position: A',
      'note: ok',
    ]);
  });
});
