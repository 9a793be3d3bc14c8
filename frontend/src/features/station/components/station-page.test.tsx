import 'fake-indexeddb/auto';

import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';

import { pending, resetOfflineQueue } from '@/features/station/lib/offline-queue';
import { jsonResponse, renderApp, stubFetch } from '@/testing/test-utils';

const me = {
  id: 9,
  username: 'op1',
  full_name: 'Olga Operator',
  kind: 'station',
  station: 'PH-1',
  permissions: ['records.capture', 'flows.read', 'forms.read'],
  must_change_password: false,
  csrf_token: 'csrf-1',
};

const flow = {
  key: 'dispense',
  version: 2,
  document: {
    key: 'dispense',
    version: 2,
    subject: 'lot',
    name: { en: 'Dispensing', 'zh-CN': '配料' },
    start: ['weigh'],
    nodes: [
      {
        id: 'weigh',
        type: 'process',
        name: { en: 'Weigh', 'zh-CN': '称量' },
        form: { key: 'weigh', version: 1 },
        rules: { allowed_stations: ['PH-1'], signatures: { meanings: ['performed', 'verified'] } },
      },
      {
        id: 'elsewhere',
        type: 'process',
        form: { key: 'weigh', version: 1 },
        rules: { allowed_stations: ['PH-9'] },
      },
    ],
  },
};

const form = {
  key: 'weigh',
  version: 1,
  document: { title: { en: 'Weighing' } },
  rendered: {
    schema: {
      type: 'object',
      title: 'Weighing',
      properties: { net: { type: 'number', title: 'Net weight' } },
      required: ['net'],
    },
    uiSchema: { net: { 'ui:widget': 'measurement', 'ui:options': { unit: 'kg', lsl: 9.9, usl: 10.1 } } },
  },
};

const refusal = {
  code: 'validation_failed',
  message: 'Some values are not valid; see errors.',
  errors: [
    { path: ['payload', 'net'], field: 'payload.net', code: 'x', params: {}, message: 'Net weight is out of range.' },
    { path: ['signatures', 1, 'password'], field: 'signatures[1].password', code: 'y', params: {}, message: 'Wrong password.' },
  ],
};

/** The same flow without the signature rule. */
const unsignedFlow = {
  ...flow,
  document: { ...flow.document, nodes: [{ ...flow.document.nodes[0]!, rules: {} }] },
};

type Request = { url: string; init: RequestInit | undefined };

/** The API a station at PH-1 talks to, with `records` answering POST /api/records. */
function stationApi(flowVersion: unknown, records: (request: Request) => Response) {
  return stubFetch((request) => {
    const { url } = request;
    if (url.endsWith('/api/auth/me')) return jsonResponse(me);
    if (url.endsWith('/api/flows')) return jsonResponse([{ key: 'dispense', latest_version: 2 }]);
    if (url.endsWith('/api/flows/dispense/versions/2')) return jsonResponse(flowVersion);
    if (url.includes('/api/forms/weigh/versions/1')) return jsonResponse(form);
    if (url.includes('/api/flow-instances')) return jsonResponse({ items: [], total: 0 });
    if (url.endsWith('/api/records')) return records(request);
    return jsonResponse({});
  });
}

afterEach(async () => {
  await resetOfflineQueue();
});

describe('station page', () => {
  it('shows only the steps of this station, signs with two people and puts refusals on their fields', async () => {
    const posts: unknown[] = [];
    stationApi(flow, ({ init }) => {
      posts.push(JSON.parse(String(init?.body)));
      return jsonResponse(refusal, { status: 422 });
    });
    renderApp('/station');
    const user = userEvent.setup();

    expect(await screen.findByRole('heading', { name: 'Weighing' })).toBeVisible();
    expect(screen.queryByRole('button', { name: /elsewhere/ })).toBeNull(); // PH-9 only
    await user.type(screen.getByLabelText('Lot'), 'API-2611-7{Enter}');
    const net = screen.getByLabelText(/Net weight/);
    await user.type(net, '10.3');
    expect(screen.getByText('Out of spec')).toBeVisible();

    const signatures = screen.getByTestId('signatures');
    const [firstUser, secondUser] = within(signatures).getAllByLabelText('User name');
    const [firstPassword, secondPassword] = within(signatures).getAllByLabelText('Password');
    await user.type(firstUser!, 'op1');
    await user.type(firstPassword!, 'pw-one');
    await user.type(secondUser!, 'qa2');
    await user.type(secondPassword!, 'pw-two');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    expect(await screen.findByText('Net weight is out of range.')).toBeVisible();
    expect(within(signatures).getByRole('alert')).toHaveTextContent('Wrong password.');
    expect(screen.getByTestId('outcome')).toHaveAttribute('data-outcome', 'refused');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      flow: 'dispense',
      node: 'weigh',
      subject: 'API-2611-7',
      station: 'PH-1',
      payload: { net: 10.3 },
      signatures: [
        { meaning: 'performed', username: 'op1', password: 'pw-one' },
        { meaning: 'verified', username: 'qa2', password: 'pw-two' },
      ],
    });
    const body = posts[0] as { idempotency_key: string; event_time: string };
    expect(body.idempotency_key).toMatch(/^station-[0-9a-f-]{36}$/);
    expect(body.event_time).toMatch(/[+-]\d{2}:\d{2}$/);
  }, 30_000);

  it('queues a new record behind waiting ones, in order, and sends them all when the server is back', async () => {
    const posted: string[] = [];
    let serverUp = false;
    stationApi(unsignedFlow, ({ init }) => {
      const body = JSON.parse(String(init?.body)) as { subject: string };
      posted.push(body.subject);
      if (!serverUp) return jsonResponse({ code: 'unavailable', message: 'Down.', errors: [] }, { status: 503 });
      return jsonResponse({
        record: { id: posted.length, flow: 'dispense', node: 'weigh', subject: body.subject, instance_id: 1 },
        created_items: [],
        next_steps: [],
        instance_status: 'active',
        notices: [],
        signatures: [],
      });
    });
    renderApp('/station');
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Weighing' });

    for (const lot of ['LOT-A', 'LOT-B']) {
      await user.type(screen.getByLabelText('Lot'), `${lot}{Enter}`);
      await user.type(screen.getByLabelText(/Net weight/), '10');
      await user.click(screen.getByRole('button', { name: 'Submit' }));
      expect(await screen.findByTestId('outcome')).toHaveAttribute('data-outcome', 'queued');
    }
    // LOT-A failed with a server error and waits; LOT-B never jumped ahead of it.
    expect(await screen.findByTestId('pending-count')).toHaveAttribute('data-count', '2');
    expect(posted[0]).toBe('LOT-A');
    expect(posted.indexOf('LOT-B') === -1 || posted.indexOf('LOT-B') > posted.lastIndexOf('LOT-A')).toBe(true);

    serverUp = true;
    await user.click(screen.getByRole('button', { name: 'Send now' }));
    await waitFor(() => expect(screen.queryByTestId('pending-count')).toBeNull());
    expect(posted.slice(-2)).toEqual(['LOT-A', 'LOT-B']);
  }, 30_000);

  it("prints a created lot's pack label on the station's printer, and says why when it cannot", async () => {
    const printed: unknown[] = [];
    let printerUp = true;
    stubFetch((request) => {
      const { url, init } = request;
      if (url.endsWith('/api/auth/me')) return jsonResponse(me);
      if (url.endsWith('/api/flows')) return jsonResponse([{ key: 'dispense', latest_version: 2 }]);
      if (url.endsWith('/api/flows/dispense/versions/2')) return jsonResponse(unsignedFlow);
      if (url.includes('/api/forms/weigh/versions/1')) return jsonResponse(form);
      if (url.includes('/api/flow-instances')) return jsonResponse({ items: [], total: 0 });
      if (url.endsWith('/api/items/77/labels')) {
        return jsonResponse([
          { key: 'food/tlc_case', name: { en: 'Case label with TLC', 'zh-CN': '带 TLC 的箱标' }, applies_to: 'lot', format: 'zpl' },
        ]);
      }
      if (url.endsWith('/api/items/77/labels/print')) {
        printed.push(JSON.parse(String(init?.body)));
        return printerUp
          ? jsonResponse({ item_id: 77, template: 'food/tlc_case', printer: 'ZB-PH-1', copies: 1 })
          : jsonResponse(
              { code: 'printer_unreachable', message: 'Printer ZB-PH-1 at 10.0.0.9:9100 did not take the label.', errors: [] },
              { status: 503 },
            );
      }
      if (url.endsWith('/api/records')) {
        return jsonResponse({
          record: { id: 5, flow: 'dispense', node: 'weigh', subject: 'LOT-P', instance_id: 1 },
          created_items: [
            { id: 77, code: 'LOT-P', kind: 'lot', material: 'API-1', quantity: 10, uom: 'kg', expiry: null, gtin: null, lot: 'LOT-P', serial: null, sscc: null, digital_link: null, status: 'released' },
          ],
          next_steps: [],
          instance_status: 'active',
          notices: [],
          signatures: [],
        });
      }
      return jsonResponse({});
    });
    renderApp('/station');
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Weighing' });
    await user.type(screen.getByLabelText('Lot'), 'LOT-P{Enter}');
    await user.type(screen.getByLabelText(/Net weight/), '10');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    const label = await screen.findByTestId('label');
    await user.click(await within(label).findByRole('button', { name: "Print on the station's printer" }));
    expect(await within(label).findByText('Sent to printer ZB-PH-1.')).toBeVisible();
    expect(printed).toEqual([{ station: 'PH-1', template: 'food/tlc_case' }]);

    printerUp = false;
    await user.click(within(label).getByRole('button', { name: "Print on the station's printer" }));
    expect(await within(label).findByRole('alert')).toHaveTextContent('did not take the label');
  }, 30_000);

  it('sends a worker whose session ended to sign in again, keeping the record for them', async () => {
    stationApi(unsignedFlow, () =>
      jsonResponse({ code: 'authentication_required', message: 'Sign in.', errors: [] }, { status: 401 }),
    );
    const { router } = renderApp('/station');
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'Weighing' });
    await user.type(screen.getByLabelText('Lot'), 'LOT-C{Enter}');
    await user.type(screen.getByLabelText(/Net weight/), '10');
    await user.click(screen.getByRole('button', { name: 'Submit' }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(router.state.location.search).toBe('?next=%2Fstation');
    const [waiting] = await pending();
    expect(waiting).toMatchObject({ body: { subject: 'LOT-C' }, operator: { id: 9, name: 'Olga Operator' } });
  }, 30_000);
});
