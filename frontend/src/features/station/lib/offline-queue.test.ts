import 'fake-indexeddb/auto';

import { afterEach, describe, expect, it } from 'vitest';

import {
  enqueue,
  pending,
  rejected,
  resetOfflineQueue,
  type SendOutcome,
  sync,
} from '@/features/station/lib/offline-queue';
import type { CaptureBody } from '@/features/station/types/station';

function body(key: string): CaptureBody {
  return {
    idempotency_key: key,
    flow: 'widget-line',
    node: 'final_test',
    subject: 'WDG-1',
    station: 'ST-1',
    event_time: '2026-11-28T10:00:00+08:00',
    payload: { voltage: 5 },
  };
}

const olga = { id: 7, name: 'Olga Operator' };
const bo = { id: 8, name: 'Bo Worker' };

const result = {
  record: { id: 1, flow: 'f', node: 'n', subject: null, instance_id: 1 },
  created_items: [],
  next_steps: [],
  instance_status: 'active',
  notices: [],
  signatures: [],
};

afterEach(async () => {
  await resetOfflineQueue();
});

describe('offline queue', () => {
  it('keeps one entry per idempotency key, in submission order', async () => {
    await enqueue(body('k-1'), olga);
    await enqueue(body('k-2'), olga);
    await enqueue(body('k-1'), olga); // double tap
    expect((await pending()).map((e) => e.body.idempotency_key)).toEqual(['k-1', 'k-2']);
  });

  it('sends in order, moves refusals aside and stops at the first that cannot go now', async () => {
    for (const key of ['k-1', 'k-2', 'k-3', 'k-4']) await enqueue(body(key), olga);
    const sent: string[] = [];
    const outcomes: Record<string, SendOutcome> = {
      'k-1': { kind: 'sent', result },
      'k-2': { kind: 'rejected', code: 'validation_failed', message: 'Bad.', errors: [] },
      'k-3': { kind: 'retry-later' },
    };
    const summary = await sync(async (b) => {
      sent.push(b.idempotency_key);
      return outcomes[b.idempotency_key] ?? { kind: 'sent', result };
    }, olga.id);

    expect(sent).toEqual(['k-1', 'k-2', 'k-3']);
    expect(summary).toEqual({ sent: 1, rejected: 1, remaining: 2 });
    expect((await pending()).map((e) => e.body.idempotency_key)).toEqual(['k-3', 'k-4']);
    expect((await rejected()).map((e) => [e.body.idempotency_key, e.message])).toEqual([['k-2', 'Bad.']]);
  });

  it('runs one sync at a time, so nothing is sent twice by overlapping triggers', async () => {
    await enqueue(body('k-1'), olga);
    let calls = 0;
    const send = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { kind: 'sent', result } as const;
    };
    await Promise.all([sync(send, olga.id), sync(send, olga.id), sync(send, olga.id)]);
    expect(calls).toBe(1);
    expect(await pending()).toEqual([]);
  });

  it("sends only the signed-in operator's records; others wait for their own operator", async () => {
    await enqueue(body('olga-1'), olga);
    await enqueue(body('bo-1'), bo);
    await enqueue(body('olga-2'), olga);
    const sent: string[] = [];
    const summary = await sync(async (b) => {
      sent.push(b.idempotency_key);
      return { kind: 'sent', result };
    }, bo.id);

    expect(sent).toEqual(['bo-1']);
    expect(summary).toEqual({ sent: 1, rejected: 0, remaining: 2 });
    expect((await pending()).map((e) => [e.body.idempotency_key, e.operator.name])).toEqual([
      ['olga-1', 'Olga Operator'],
      ['olga-2', 'Olga Operator'],
    ]);
  });
});
