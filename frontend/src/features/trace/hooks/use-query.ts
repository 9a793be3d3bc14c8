import { useCallback, useEffect, useRef, useState } from 'react';

export type QueryState<T> = {
  /** The answer for the current key (undefined while it loads or after an error). */
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** The last answer for any key: shown while a new one loads (e.g. "load more"). */
  previous: T | undefined;
  reload: () => void;
};

type Settled<T> = { key: string; data?: T; error?: unknown };

/**
 * Loads data for `key` (null: nothing to load) and loads again when the key changes; an earlier
 * request still running is aborted. `load` may change on every render: only `key` decides when.
 */
export function useQuery<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): QueryState<T> {
  const [version, setVersion] = useState(0);
  const [settled, setSettled] = useState<Settled<T> | null>(null);
  const [previous, setPrevious] = useState<T | undefined>(undefined);
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });

  const fullKey = key === null ? null : `${key}#${version}`;
  useEffect(() => {
    if (fullKey === null) return undefined;
    const controller = new AbortController();
    loader.current(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        setSettled({ key: fullKey, data });
        setPrevious(data);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setSettled({ key: fullKey, error });
      },
    );
    return () => controller.abort();
  }, [fullKey]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const current = settled?.key === fullKey ? settled : undefined;
  return {
    data: current?.data,
    error: current?.error,
    loading: fullKey !== null && current === undefined,
    previous,
    reload,
  };
}
