import { afterEach, describe, expect, it, vi } from 'vitest';

import { csvCell, downloadCsv, toCsv } from '@/features/trace/lib/csv';
import { recallCsvColumns, recallRows, shippedByCustomer, stockByLocation } from '@/features/trace/lib/recall-scope';
import { CAP, CAP_RECALL, PALLET, UNIT } from '@/features/trace/lib/trace-fixtures';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('keeps spreadsheets from running a cell as a formula', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-4)).toBe('-4');
  });

  it('writes empty cells for missing values', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });
});

describe('toCsv', () => {
  it('writes a header and one CRLF line per row', () => {
    const text = toCsv(
      [
        { header: 'Code', value: (row: { code: string; qty: number }) => row.code },
        { header: '数量', value: (row) => row.qty },
      ],
      [
        { code: 'A', qty: 1 },
        { code: 'B,2', qty: 2.5 },
      ],
    );
    expect(text).toBe('Code,数量\r\nA,1\r\n"B,2",2.5\r\n');
  });
});

describe('recall scope rows', () => {
  const shipments = new Map([[UNIT.id, [{ customer: 'CUST-ACME', time: '2026-11-28T09:00:00+00:00' }]]]);

  it('has one row per item with every category it belongs to', () => {
    const rows = recallRows(CAP_RECALL, shipments, (id) => (id === null ? null : `L${id}`));
    expect(rows.map((row) => [row.item.code, row.categories])).toEqual([
      ['WDG-00003', ['finished', 'shipped']],
      ['CAP-2611-B', ['stock']],
      ['095060001343520000', ['stock']],
    ]);
    expect(rows[0]!.shipments).toEqual([{ customer: 'CUST-ACME', time: '2026-11-28T09:00:00+00:00' }]);
  });

  it('exports the scope as CSV with translated headers', () => {
    const headers = Object.fromEntries(
      ['category', 'code', 'kind', 'material', 'lot', 'serial', 'sscc', 'quantity', 'remaining', 'uom', 'status', 'location', 'customer', 'shippedAt', 'expiry'].map(
        (key) => [key, key.toUpperCase()],
      ),
    ) as Parameters<typeof recallCsvColumns>[0];
    const rows = recallRows(CAP_RECALL, shipments, () => null);
    const lines = toCsv(recallCsvColumns(headers, (c) => c), rows).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'CATEGORY,CODE,KIND,MATERIAL,LOT,SERIAL,SSCC,QUANTITY,REMAINING,UOM,STATUS,LOCATION,CUSTOMER,SHIPPEDAT,EXPIRY',
    );
    expect(lines[1]).toBe(
      'finished + shipped,WDG-00003,unit,WIDGET,,WDG-00003,,1,1,ea,shipped,,CUST-ACME,2026-11-28T09:00:00+00:00,',
    );
    expect(lines).toHaveLength(4);
  });

  it('groups stock by location and shipments by customer', () => {
    const placed = { ...CAP, location_id: 7 };
    expect([...stockByLocation([placed, PALLET])]).toEqual([
      [7, [placed]],
      [null, [PALLET]],
    ]);
    const other = { ...UNIT, id: 99, code: 'WDG-99' };
    expect([...shippedByCustomer([UNIT, other], shipments)]).toEqual([
      ['CUST-ACME', [UNIT]],
      [null, [other]],
    ]);
  });
});

describe('downloadCsv', () => {
  afterEach(() => vi.useRealTimers());

  it('saves a UTF-8 file with a byte order mark through a temporary link', async () => {
    vi.useFakeTimers();
    const blobs: Blob[] = [];
    const create = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:csv';
    });
    const revoke = vi.fn();
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: create, revokeObjectURL: revoke }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);

    downloadCsv('recall.csv', 'a,b\r\n');

    expect(click).toHaveBeenCalledOnce();
    expect(blobs[0]!.type).toBe('text/csv;charset=utf-8');
    vi.runAllTimers();
    expect(revoke).toHaveBeenCalledWith('blob:csv');
    vi.useRealTimers();
    const bytes = await new Promise<Uint8Array>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
      reader.readAsArrayBuffer(blobs[0]!);
    });
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.length).toBe(3 + 'a,b\r\n'.length);
  });
});
