import 'fake-indexeddb/auto';

import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';

import { resetOfflineQueue } from '@/features/station/lib/offline-queue';
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

afterEach(async () => {
  await resetOfflineQueue();
});

describe('station page', () => {
  it('shows only the steps of this station, signs with two people and puts refusals on their fields', async () => {
    const posts: unknown[] = [];
    stubFetch(({ url, init }) => {
      if (url.endsWith('/api/auth/me')) return jsonResponse(me);
      if (url.endsWith('/api/flows')) return jsonResponse([{ key: 'dispense', latest_version: 2 }]);
      if (url.endsWith('/api/flows/dispense/versions/2')) return jsonResponse(flow);
      if (url.includes('/api/forms/weigh/versions/1')) return jsonResponse(form);
      if (url.includes('/api/flow-instances')) return jsonResponse({ items: [], total: 0 });
      if (url.endsWith('/api/records')) {
        posts.push(JSON.parse(String(init?.body)));
        return jsonResponse(refusal, { status: 422 });
      }
      return jsonResponse({});
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
});
