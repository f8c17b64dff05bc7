/**
 * @module The stored predictions matching a query, a page at a time (QueryPredictions with its
 * continuation token for "Load more"). Results shown always belong to the current query: while a
 * changed query loads, the list is empty and `loading` is already true on that render.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { PredictionQueryResult, PredictionQueryToken, StoredImagePrediction } from '../../api/types';

interface Loaded {
  /** The query these results answer. */
  key: string;
  items: StoredImagePrediction[];
  /** The token for the next page (the answer's token, sent back unchanged), if more remain. */
  next: PredictionQueryToken | null;
}

export interface PredictionList {
  items: StoredImagePrediction[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
  /** Drops predictions from the list (deleted, or added to the training images). */
  remove: (ids: ReadonlySet<string>) => void;
}

export function usePredictionList(api: Api, projectId: string, query: PredictionQueryToken): PredictionList {
  const key = JSON.stringify([projectId, query]);
  const [loaded, setLoaded] = useState<Loaded>({ key: '', items: [], next: null });
  const [fetching, setFetching] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const latestRun = useRef(0);

  const fetchPage = async (token: PredictionQueryToken, append: boolean) => {
    const run = ++latestRun.current;
    setFetching(true);
    setError(null);
    try {
      const answer = await api.training<PredictionQueryResult>('POST', `/projects/${projectId}/predictions/query`, { json: token });
      if (run !== latestRun.current) return;
      setLoaded((previous) => ({
        key,
        items: append ? [...previous.items, ...answer.results] : answer.results,
        next: answer.token.continuation ? answer.token : null,
      }));
    } catch (e) {
      if (run === latestRun.current) setError(e);
    } finally {
      if (run === latestRun.current) setFetching(false);
    }
  };

  useEffect(() => {
    void fetchPage(query, false);
    // `key` stands for the query's content: a new object with the same filters must not reload.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  const current = loaded.key === key;
  return {
    items: current ? loaded.items : [],
    hasMore: current && loaded.next !== null,
    loading: fetching || (!current && !error),
    error,
    loadMore: () => {
      if (loaded.next) void fetchPage(loaded.next, true);
    },
    reload: () => void fetchPage(query, false),
    remove: (ids) => setLoaded((previous) => ({ ...previous, items: previous.items.filter((p) => !ids.has(p.id)) })),
  };
}
