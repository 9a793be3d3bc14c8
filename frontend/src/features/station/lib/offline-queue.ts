import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

import type { CaptureBody, CaptureResult } from '@/features/station/types/station';

/**
 * Submissions waiting for the network, kept in IndexedDB so that a reload (or a crash of the
 * tablet's browser) loses nothing. Each keeps its idempotency key: sending one twice (the first
 * answer was lost on the way back) records it once. They are sent oldest first, one at a time,
 * because a later step may depend on an earlier one (assemble before test). Each remembers who
 * submitted it: the server records the signed-in person as the operator, so a record waits for
 * its own operator to be signed in again (a shift change while offline never re-attributes work).
 */

/** Who submitted a queued record (the server checks it is who sends it). */
export type Operator = { id: number; name: string };

export type PendingEntry = {
  /** Auto-increment: the order in which the worker submitted. */
  seq?: number;
  body: CaptureBody;
  operator: Operator;
  queuedAt: string;
};

export type RejectedEntry = {
  seq?: number;
  body: CaptureBody;
  operator: Operator;
  rejectedAt: string;
  code: string;
  message: string;
  errors: { field: string; message: string; path: (string | number)[] }[];
};

interface StationDb extends DBSchema {
  pending: { key: number; value: PendingEntry; indexes: { key: string } };
  rejected: { key: number; value: RejectedEntry };
}

const DB_NAME = 'lotline-station';

let opened: Promise<IDBPDatabase<StationDb>> | undefined;

function db(): Promise<IDBPDatabase<StationDb>> {
  opened ??= openDB<StationDb>(DB_NAME, 2, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore('pending', { keyPath: 'seq', autoIncrement: true });
        database.createObjectStore('rejected', { keyPath: 'seq', autoIncrement: true });
      }
      if (oldVersion < 2) {
        // One entry per submission, whatever the timing of a double tap.
        transaction.objectStore('pending').createIndex('key', 'body.idempotency_key', { unique: true });
      }
    },
  });
  return opened;
}

export async function enqueue(body: CaptureBody, operator: Operator): Promise<void> {
  try {
    await (await db()).add('pending', { body, operator, queuedAt: new Date().toISOString() });
  } catch (error) {
    // The same submission queued twice (a double tap) is one record.
    if (!(error instanceof DOMException && error.name === 'ConstraintError')) throw error;
  }
}

export async function pending(): Promise<PendingEntry[]> {
  return (await db()).getAll('pending');
}

export async function rejected(): Promise<RejectedEntry[]> {
  return (await db()).getAll('rejected');
}

export async function dismissRejected(seq: number): Promise<void> {
  await (await db()).delete('rejected', seq);
}

/** How one send went: sent (remove), rejected by the server (keep for the worker), or not now. */
export type SendOutcome =
  | { kind: 'sent'; result: CaptureResult }
  | { kind: 'rejected'; code: string; message: string; errors: RejectedEntry['errors'] }
  | { kind: 'retry-later' };

let syncing: Promise<SyncSummary> | undefined;

export type SyncSummary = { sent: number; rejected: number; remaining: number };

/**
 * Sends `operator`'s queued submissions in order (others wait for their own operator). Stops at
 * the first that cannot be sent now (network down, server error, session ended), so the order is
 * kept; a refused one moves to the "rejected" list and the queue goes on. Only one sync runs at a
 * time.
 */
export function sync(
  send: (body: CaptureBody) => Promise<SendOutcome>,
  operator: number,
): Promise<SyncSummary> {
  syncing ??= (async () => {
    const database = await db();
    const summary: SyncSummary = { sent: 0, rejected: 0, remaining: 0 };
    try {
      for (const entry of await database.getAll('pending')) {
        if (entry.operator.id !== operator) continue;
        const outcome = await send(entry.body);
        if (outcome.kind === 'retry-later') break;
        const tx = database.transaction(['pending', 'rejected'], 'readwrite');
        if (outcome.kind === 'rejected') {
          summary.rejected += 1;
          await tx.objectStore('rejected').add({
            body: entry.body,
            operator: entry.operator,
            rejectedAt: new Date().toISOString(),
            code: outcome.code,
            message: outcome.message,
            errors: outcome.errors,
          });
        } else {
          summary.sent += 1;
        }
        await tx.objectStore('pending').delete(entry.seq!);
        await tx.done;
      }
      summary.remaining = await database.count('pending');
      return summary;
    } finally {
      syncing = undefined;
    }
  })();
  return syncing;
}

/** Closes and deletes the database (tests). */
export async function resetOfflineQueue(): Promise<void> {
  if (opened) (await opened).close();
  opened = undefined;
  await new Promise<void>((resolve, reject) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error('deleteDatabase failed'));
    request.onblocked = () => resolve();
  });
}
