/** @module A project's iterations, newest first, kept current: asked again for an id it does not know yet and while one is training. */
import { useEffect, useRef } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration } from '../../api/types';
import { useAsync } from '../../components/use-async';

const TRAINING_POLL_MS = 2000;

export interface Iterations {
  iterations: Iteration[] | undefined;
  error: unknown;
  /** Asking again for an iteration the list did not have yet. */
  looking: boolean;
  reload: () => void;
}

export function useIterations(api: Api, projectId: string, wantedId: string | undefined): Iterations {
  const list = useAsync(
    async () => (await api.training<Iteration[]>('GET', `/projects/${projectId}/iterations`)).sort((a, b) => b.created.localeCompare(a.created)),
    [api, projectId],
  );
  const askedFor = useRef<string | undefined>(undefined);
  const iterations = list.value;
  const missing = !!(wantedId && iterations && !iterations.some((i) => i.id === wantedId));
  const unknown = missing && askedFor.current !== wantedId;
  const training = !!iterations?.some((i) => i.status === 'Training');

  useEffect(() => {
    if (list.loading) return;
    if (unknown) {
      // Just trained (the Train button navigates here): ask once, a wrong address must not loop.
      askedFor.current = wantedId;
      list.reload();
      return;
    }
    if (!training) return;
    const timer = setTimeout(list.reload, TRAINING_POLL_MS);
    return () => clearTimeout(timer);
  }, [iterations, list.loading, unknown, training, wantedId, list.reload]);

  return { iterations, error: list.error, looking: unknown || (missing && list.loading), reload: list.reload };
}

/** The URL's iteration, else the newest Completed one. */
export function selectIteration(iterations: Iteration[], wantedId: string | undefined): Iteration | undefined {
  return wantedId ? iterations.find((i) => i.id === wantedId) : iterations.find((i) => i.status === 'Completed');
}
