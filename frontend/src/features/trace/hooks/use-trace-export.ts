import { useCallback, useEffect, useState } from 'react';

import { createTraceExport } from '@/features/trace/api/create-trace-export';
import { getTask } from '@/features/trace/api/get-task';
import type { BackgroundTask, Direction } from '@/features/trace/types/trace';

export const POLL_INTERVAL_MS = 1000;

export type TraceExportState = {
  task: BackgroundTask | null;
  error: unknown;
  starting: boolean;
  start: () => void;
};

/** Starts a background trace export and polls the task until it is done or failed. */
export function useTraceExport(itemId: number, direction: Direction): TraceExportState {
  const [task, setTask] = useState<BackgroundTask | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);

  const start = useCallback(() => {
    setStarting(true);
    setError(null);
    createTraceExport(itemId, direction).then(
      (created) => {
        setTask(created);
        setStarting(false);
      },
      (failure: unknown) => {
        setError(failure);
        setStarting(false);
      },
    );
  }, [itemId, direction]);

  const pending = task !== null && (task.status === 'queued' || task.status === 'running');
  const taskId = task?.id;
  useEffect(() => {
    if (!pending || taskId === undefined) return undefined;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      getTask(taskId, controller.signal).then(setTask, (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      });
    }, POLL_INTERVAL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [pending, taskId, task]);

  return { task, error, starting, start };
}
