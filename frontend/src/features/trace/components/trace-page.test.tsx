import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import {
  BACKWARD,
  CAP,
  CAP_RECALL,
  event,
  FORWARD,
  item,
  record,
  RES,
  UNIT,
  UNIT_BALANCE,
  UNIT_HISTORY,
} from '@/features/trace/lib/trace-fixtures';
import type { Item } from '@/features/trace/types/trace';
import { jsonResponse, renderApp, stubFetch } from '@/testing/test-utils';

const decode = vi.hoisted(() => ({ text: 'WDG-00003' }));
vi.mock('@zxing/browser', () => ({
  BrowserMultiFormatReader: class {
    decodeFromVideoDevice(_device: unknown, _video: unknown, callback: (...args: unknown[]) => void) {
      const controls = { stop: vi.fn() };
      setTimeout(() => callback({ getText: () => decode.text }, undefined, controls), 0);
      return Promise.resolve(controls);
    }
  },
}));

function me(permissions: string[] = ['trace.read', 'recall.hold']) {
  return {
    id: 3,
    username: 'qa',
    full_name: 'Quinn Quality',
    kind: 'browser',
    station: null,
    permissions,
    must_change_password: false,
    csrf_token: 'csrf-abc',
  };
}

type Routes = Record<string, unknown | ((url: URL, init: RequestInit | undefined) => unknown)>;

/** Answers API calls by path (`GET /api/items/6`) or by path and query (`…?direction=forward`). */
function api(routes: Routes, permissions?: string[]) {
  return stubFetch(({ url, init }) => {
    const parsed = new URL(url, 'http://localhost');
    const method = init?.method ?? 'GET';
    if (parsed.pathname === '/api/auth/me') return jsonResponse(me(permissions));
    const keys = [`${method} ${parsed.pathname}${parsed.search}`, `${method} ${parsed.pathname}`];
    for (const key of keys) {
      if (key in routes) {
        const routed = routes[key];
        const answer: unknown = typeof routed === 'function' ? routed(parsed, init) : routed;
        return answer instanceof Response ? answer : jsonResponse(answer);
      }
    }
    return jsonResponse({ code: 'not_found', message: `No route ${keys[1]}`, errors: [] }, { status: 404 });
  });
}

function traceRoute(url: URL) {
  return url.searchParams.get('direction') === 'forward' ? FORWARD : BACKWARD;
}

const user = () => userEvent.setup();

beforeEach(() => {
  // React Flow measures its nodes; jsdom has no layout.
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
});

describe('trace search', () => {
  it('opens the only match of a scanned serial with its backward genealogy graph', { timeout: 20_000 }, async () => {
    const fetchMock = api({
      'GET /api/items/search': [UNIT],
      'GET /api/items/6': UNIT,
      'GET /api/items/6/trace': traceRoute,
      'GET /api/items/6/events': UNIT_HISTORY,
    });
    const { router } = renderApp('/trace');

    await user().type(await screen.findByLabelText('Lot, serial, VIN, SSCC or GS1 barcode'), 'WDG-00003{Enter}');

    expect(await screen.findByTestId('trace-item-code')).toHaveTextContent('WDG-00003');
    expect(router.state.location.pathname).toBe('/trace/items/6');
    const graph = await screen.findByTestId('trace-graph');
    expect(await within(graph).findByTestId('graph-node-RES-2611-A')).toBeInTheDocument();
    expect(within(graph).getByTestId('graph-node-CAP-2611-B')).toBeInTheDocument();
    expect(screen.getByTestId('trace-summary')).toHaveTextContent('Items: 3 · levels: 1');
    const search = fetchMock.mock.calls.map(([url]) => String(url)).find((url) => url.includes('/items/search'));
    expect(search).toBe('/api/items/search?q=WDG-00003');
    const trace = fetchMock.mock.calls.map(([url]) => String(url)).find((url) => url.includes('/trace?'));
    expect(trace).toBe('/api/items/6/trace?direction=backward&max_depth=3&max_items=500&events=false');
  });

  it('lists several matches and says when nothing matches', async () => {
    const other = item(9, 'WDG-00003', { kind: 'unit', material: 'GADGET' });
    api({
      'GET /api/items/search?q=WDG-00003': [UNIT, other],
      'GET /api/items/search?q=NOPE': [],
    });
    renderApp('/trace?q=WDG-00003');

    const results = await screen.findByTestId('trace-search-results');
    expect(within(results).getAllByRole('link', { name: 'WDG-00003' })).toHaveLength(2);
    expect(screen.getByRole('heading', { name: '2 items match “WDG-00003”' })).toBeVisible();

    const box = screen.getByLabelText('Lot, serial, VIN, SSCC or GS1 barcode');
    await user().clear(box);
    await user().type(box, 'NOPE{Enter}');
    expect(await screen.findByTestId('trace-no-results')).toHaveTextContent('Nothing matches “NOPE”.');
  });

  it('searches what the camera read; the decoder loads only when the camera is asked for', async () => {
    decode.text = '(01)09506000134352(10)RES-2611-A';
    const fetchMock = api({ 'GET /api/items/search': [RES], 'GET /api/items/1': RES, 'GET /api/items/1/trace': traceRoute });
    renderApp('/trace');

    await user().click(await screen.findByRole('button', { name: 'Scan with camera' }));

    expect(await screen.findByTestId('trace-item-code')).toHaveTextContent('RES-2611-A');
    const search = fetchMock.mock.calls.map(([url]) => String(url)).find((url) => url.includes('/items/search'))!;
    expect(new URL(search, 'http://x').searchParams.get('q')).toBe('(01)09506000134352(10)RES-2611-A');
  });
});

describe('genealogy', () => {
  it('shows the table and, for a selected item, its events, results, signatures and mass balance', async () => {
    api({
      'GET /api/items/6': UNIT,
      'GET /api/items/6/trace': traceRoute,
      'GET /api/items/6/events': { ...UNIT_HISTORY, total: 1200 }, // a long history: the first page
      'GET /api/items/6/mass-balance': UNIT_BALANCE,
      'GET /api/records/11': [record(11, { node: 'assemble' })],
      'GET /api/records/12': [
        record(12, { data: { voltage: { value: 5.71, unit: 'V', lsl: 4.5, usl: 5.5, result: 'fail' } } }),
        record(30, {
          corrects_record_id: 12,
          correction_reason: 'Probe was loose',
          data: { voltage: { value: 5.02, unit: 'V', lsl: 4.5, usl: 5.5, result: 'pass' } },
          labels: { fields: { voltage: { en: 'Output voltage', 'zh-CN': '输出电压' } }, options: {} },
          signatures: [
            {
              meaning: 'approval',
              meaning_en: 'Approved',
              meaning_zh: '批准',
              signer_name: 'Quinn Quality',
              signed_at: '2026-11-28T09:00:00+00:00',
              status: 'valid',
            },
          ],
        }),
      ],
    });
    renderApp('/trace/items/6?view=table');

    const table = await screen.findByTestId('trace-table');
    expect(within(table).getByTestId('trace-row-WDG-00003')).toHaveTextContent('RES-2611-A, CAP-2611-B');
    expect(within(table).getByTestId('trace-row-CAP-2611-B')).toHaveTextContent('WDG-00003');

    await user().click(within(table).getByRole('button', { name: 'WDG-00003' }));

    const detail = await screen.findByTestId('item-detail');
    expect(await within(detail).findByTestId('mass-balance')).toHaveTextContent('Shipped1 ea');
    expect(within(detail).getByText('Balanced: every unit is accounted for.')).toBeVisible();
    const events = await within(detail).findAllByTestId('item-event');
    expect(events).toHaveLength(2);
    expect(events[0]).toHaveTextContent('Assembly');
    expect(events[0]).toHaveTextContent('TQ-7');
    expect(events[0]).toHaveTextContent('Olga Operator');
    expect(events[0]).toHaveTextContent('RES-2611-A × 4 ea');
    expect(await within(events[1]!).findByText('Output voltage: 5.02 V (spec 4.5–5.5 V) — in spec')).toBeVisible();
    expect(within(events[1]!).getByText('Corrected record. Reason: Probe was loose')).toBeVisible();
    expect(within(detail).getByTestId('item-events-more')).toHaveTextContent(
      'The first 2 of 1,200 events; trace the item for the rest.',
    );
    expect(within(events[1]!).getByTestId('record-signatures')).toHaveTextContent(
      /Signed by Quinn Quality \(Approved\) on .*\(valid\)/,
    );
  });

  /** The raw lot RES went straight into ``count`` units (one level, no events). */
  function wideForward(count: number) {
    const units = Array.from({ length: count }, (_, n) => item(10 + n, `WDG-1000${n}`, { kind: 'unit' }));
    return {
      ...FORWARD,
      items: [RES, ...units],
      edges: units.map((unit, n) => ({ ...FORWARD.edges[0]!, id: 100 + n, to_item_id: unit.id })),
      depth: Object.fromEntries([['1', 0], ...units.map((unit) => [String(unit.id), 1])]),
      events: [],
    };
  }

  it('lists the first few items a lot went into, then how many more', async () => {
    api({ 'GET /api/items/1': RES, 'GET /api/items/1/trace': wideForward(7) });
    renderApp('/trace/items/1?direction=forward&view=table');

    expect(await screen.findByTestId('trace-row-RES-2611-A')).toHaveTextContent(
      'WDG-10000, WDG-10001, WDG-10002, WDG-10003, WDG-10004 … and 2 more',
    );
  });

  it('folds a crowded level of the graph into one box and opens it on click', async () => {
    api({ 'GET /api/items/1': RES, 'GET /api/items/1/trace': wideForward(10) });
    renderApp('/trace/items/1?direction=forward');

    const more = await screen.findByTestId('graph-more-1');
    expect(more).toHaveTextContent('+3 more items');
    expect(screen.queryByTestId('graph-node-WDG-10009')).not.toBeInTheDocument();
    fireEvent.click(more); // a click only: d3-zoom's mousedown handler needs a real window view
    expect(await screen.findByTestId('graph-node-WDG-10009')).toBeInTheDocument();
    expect(screen.queryByTestId('graph-more-1')).not.toBeInTheDocument();
  });

  it('collapses a large trace by level and loads more levels on demand', async () => {
    const cut = { ...FORWARD, items: [RES, UNIT], depth: { '1': 0, '6': 1 }, edges: FORWARD.edges.slice(0, 1), truncated: true };
    const fetchMock = api({
      'GET /api/items/1': RES,
      'GET /api/items/1/trace': (url: URL) => (url.searchParams.get('max_depth') === '1' ? cut : FORWARD),
    });
    renderApp('/trace/items/1?direction=forward&view=table&depth=1');

    const warning = await screen.findByTestId('trace-truncated');
    expect(warning).toHaveTextContent('Collapsed after 1 level (2 items shown)');
    await user().click(within(warning).getByRole('button', { name: 'Load more levels' }));

    expect(await screen.findByTestId('trace-row-095060001343520000')).toBeInTheDocument();
    expect(screen.queryByTestId('trace-truncated')).not.toBeInTheDocument();
    const last = String(fetchMock.mock.calls.at(-1)![0]);
    expect(last).toBe('/api/items/1/trace?direction=forward&max_depth=4&max_items=1000&events=true');
    expect(screen.getByTestId('trace-row-WDG-00003')).toHaveTextContent('CUST-ACME');
  });

  it('exports the full trace in the background, showing progress until it can be downloaded', async () => {
    let polls = 0;
    const fetchMock = api({
      'GET /api/items/6': UNIT,
      'GET /api/items/6/trace': traceRoute,
      'GET /api/items/6/events': UNIT_HISTORY,
      'POST /api/items/6/trace-export': { id: 41, kind: 'trace_export', status: 'queued', result: null, error: null, created_at: new Date().toISOString(), started_at: null, finished_at: null },
      'GET /api/tasks/41': () => {
        polls += 1;
        return polls < 2
          ? { id: 41, kind: 'trace_export', status: 'running', result: null, progress: { phase: 'writing', done: 1200, total: 3600, percent: 33 }, error: null, created_at: new Date().toISOString(), started_at: null, finished_at: null }
          : { id: 41, kind: 'trace_export', status: 'done', result: { rows: 3, file: 'trace-41.csv' }, error: null, created_at: new Date().toISOString(), started_at: null, finished_at: null };
      },
    });
    renderApp('/trace/items/6?view=table');

    await user().click(await screen.findByRole('button', { name: 'Export the full backward trace (CSV)' }));

    const exporter = screen.getByTestId('trace-export');
    await waitFor(() => expect(exporter).toHaveAttribute('data-status', 'running'), { timeout: 3000 });
    expect(within(exporter).getByRole('progressbar', { name: 'Export progress' })).toHaveAttribute('value', '33');
    expect(exporter).toHaveTextContent('Writing rows… 33 % (1,200 of 3,600)');
    const download = await within(exporter).findByRole('link', { name: 'Download CSV' }, { timeout: 4000 });
    expect(download).toHaveAttribute('href', '/api/tasks/41/download');
    expect(exporter).toHaveTextContent('Export ready: 3 items.');
    const post = fetchMock.mock.calls.find(([, init]) => init?.method === 'POST')!;
    expect(JSON.parse(String(post[1]!.body))).toEqual({ direction: 'backward' });
  });
});

describe('FDA FSMA 204 spreadsheet', () => {
  it('downloads the days asked for, for one lot code, for those who may export reports', async () => {
    api({}, ['trace.read', 'reports.read']);
    renderApp('/trace');
    const card = await screen.findByTestId('fsma-export');
    fireEvent.change(within(card).getByLabelText('From'), { target: { value: '2026-11-20' } });
    fireEvent.change(within(card).getByLabelText('To (included)'), { target: { value: '2026-11-27' } });
    fireEvent.change(within(card).getByLabelText('Traceability lot code (optional)'), { target: { value: ' GV-RH-1 ' } });
    fireEvent.change(within(card).getByLabelText('Format'), { target: { value: 'csv' } });
    const link = new URL(within(card).getByRole('link', { name: 'Download spreadsheet' }).getAttribute('href')!, 'http://x');
    expect(link.pathname).toBe('/api/reports/fsma204');
    expect(link.searchParams.get('since')).toMatch(/^2026-11-20T00:00:00[+-]\d{2}:\d{2}$/);
    expect(link.searchParams.get('until')).toMatch(/^2026-11-28T00:00:00[+-]\d{2}:\d{2}$/); // the last day included
    expect(link.searchParams.get('tlc')).toBe('GV-RH-1');
    expect(link.searchParams.get('format')).toBe('csv');

    fireEvent.change(within(card).getByLabelText('From'), { target: { value: '2026-11-29' } });
    expect(within(card).getByRole('alert')).toHaveTextContent('The last day is before the first.');
    expect(within(card).queryByRole('link', { name: 'Download spreadsheet' })).toBeNull();
  });

  it('is not offered to those who may not export reports', async () => {
    api({}, ['trace.read']);
    renderApp('/trace');
    await screen.findByTestId('trace-finder');
    expect(screen.queryByTestId('fsma-export')).toBeNull();
  });
});

describe('recall', () => {
  const recallRoutes = (held: { current: boolean }): Routes => ({
    'GET /api/items/2': () => ({ ...CAP, status: held.current ? 'hold' : 'released' }),
    'GET /api/items/2/recall': () =>
      held.current
        ? { ...CAP_RECALL, stock: CAP_RECALL.stock.map((stock: Item) => ({ ...stock, status: 'hold' })) }
        : CAP_RECALL,
  });

  it('puts the scope on hold after a confirmation with a reason', async () => {
    const held = { current: false };
    const fetchMock = api({
      ...recallRoutes(held),
      'POST /api/items/2/recall/hold': () => {
        held.current = true;
        return { held: 2, affected: 3 };
      },
    });
    renderApp('/trace/items/2/recall');

    const view = await screen.findByTestId('recall-view');
    expect(within(view).getByTestId('recall-finished-count')).toHaveTextContent('1');
    expect(within(view).getByTestId('recall-stock-count')).toHaveTextContent('2');
    expect(await within(view).findByTestId('recall-customer')).toHaveTextContent('CUST-ACME — ACME Retail (1 item)');

    await user().click(within(view).getByRole('button', { name: 'Put all on hold' }));
    const dialog = screen.getByTestId('recall-hold-confirm');
    expect(dialog).toHaveAttribute('role', 'dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('Put 2 items on hold?');
    const submit = within(dialog).getByRole('button', { name: 'Put 2 items on hold' });
    expect(submit).toBeDisabled();
    await user().type(within(dialog).getByLabelText('Reason for the hold'), 'Supplier complaint 7');
    await user().click(submit);

    expect(await screen.findByTestId('recall-held')).toHaveTextContent('2 items put on hold (3 items in the scope).');
    expect(await within(screen.getByTestId('trace-item-header')).findByText('On hold')).toBeVisible();
    const posts = fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(new Headers(posts[0]![1]!.headers).get('X-CSRF-Token')).toBe('csrf-abc');
    expect(JSON.parse(String(posts[0]![1]!.body))).toEqual({ reason: 'Supplier complaint 7' });
    expect(within(view).getByRole('button', { name: 'Put all on hold' })).toBeDisabled();
  });

  it('offers no hold without the recall.hold permission, but still the CSV', async () => {
    api(recallRoutes({ current: false }), ['trace.read']);
    renderApp('/trace/items/2/recall');

    const view = await screen.findByTestId('recall-view');
    expect(within(view).getByRole('button', { name: 'Export scope as CSV' })).toBeVisible();
    expect(within(view).queryByRole('button', { name: 'Put all on hold' })).not.toBeInTheDocument();
  });
});

describe('finder', () => {
  it('asks what a station touched in a time window, as instants with their zone', async () => {
    const fetchMock = api({
      'GET /api/items/touched': [{ item: UNIT, event: event(11, 6, { biz_step: 'assembling' }) }],
    });
    renderApp('/trace');

    const finder = await screen.findByTestId('trace-finder');
    await user().type(within(finder).getByLabelText('Station code'), 'ST-1');
    await user().type(within(finder).getByLabelText('From'), '2026-11-28T08:00');
    await user().click(within(finder).getByRole('button', { name: 'Find' }));

    const results = await within(finder).findByTestId('finder-results');
    expect(results).toHaveTextContent('1 item found.');
    expect(within(results).getByRole('link', { name: 'WDG-00003' })).toHaveAttribute('href', '/trace/items/6');
    expect(results).toHaveTextContent('Assembly · ST-1');
    const url = new URL(String(fetchMock.mock.calls.at(-1)![0]), 'http://x');
    expect(url.pathname).toBe('/api/items/touched');
    expect(url.searchParams.get('station')).toBe('ST-1');
    expect(url.searchParams.get('since')).toBe(new Date(2026, 10, 28, 8, 0).toISOString());
    expect(url.searchParams.has('operator')).toBe(false);
  });

  it('finds what was made from a supplier lot and shows server errors', async () => {
    api({
      'GET /api/items/made-from': [RES, UNIT],
      'GET /api/items/touched': () =>
        jsonResponse(
          { code: 'station_unknown', message: 'There is no station NOPE.', errors: [], params: {} },
          { status: 404 },
        ),
    });
    renderApp('/trace');

    const finder = await screen.findByTestId('trace-finder');
    await user().click(within(finder).getByLabelText('Supplier lot'));
    await user().type(within(finder).getByLabelText('Supplier lot number'), 'RES-2611-A');
    await user().click(within(finder).getByRole('button', { name: 'Find' }));
    expect(await within(finder).findByTestId('finder-results')).toHaveTextContent('2 items found.');

    await user().click(within(finder).getByLabelText('Station, equipment or operator'));
    await user().type(within(finder).getByLabelText('Station code'), 'NOPE');
    await user().click(within(finder).getByRole('button', { name: 'Find' }));
    expect(await within(finder).findByRole('alert')).toHaveTextContent('There is no station NOPE.');
    expect(within(finder).queryByTestId('finder-results')).not.toBeInTheDocument();
  });
});
