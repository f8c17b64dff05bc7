/** @module Follows a project's training: finds an iteration already training, then polls it every second until it ends. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration } from '../../api/types';

export type TrainingState =
  | { phase: 'idle' }
  | { phase: 'training'; iteration: Iteration }
  | { phase: 'completed'; iteration: Iteration; seconds: number }
  | { phase: 'failed'; iteration: Iteration };

const POLL_MS = 1000;

/** Seconds since the iteration was created (the service's clock may differ a little: never negative). */
export function secondsSince(iso: string, now = Date.now()): number {
  const started = Date.parse(iso);
  return Number.isNaN(started) ? 0 : Math.max(0, Math.round((now - started) / 1000));
}

export interface Training {
  state: TrainingState;
  /** A failed poll (the service went away, say); polling goes on. */
  pollError: unknown;
  follow: (iteration: Iteration) => void;
}

export function useTraining(api: Api, projectId: string, onCompleted: (iteration: Iteration) => void): Training {
  const [state, setState] = useState<TrainingState>({ phase: 'idle' });
  const [pollError, setPollError] = useState<unknown>(null);
  const follow = useCallback((iteration: Iteration) => setState({ phase: 'training', iteration }), []);

  // An iteration started elsewhere (the SDK, another tab) before this page loaded.
  useEffect(() => {
    let live = true;
    api.training<Iteration[]>('GET', `/projects/${projectId}/iterations`).then(
      (iterations) => {
        const running = iterations.find((i) => i.status === 'Training');
        if (live && running) setState((s) => (s.phase === 'idle' ? { phase: 'training', iteration: running } : s));
      },
      () => undefined, // The project page already reports a project it cannot load.
    );
    return () => {
      live = false;
    };
  }, [api, projectId]);

  const followedId = state.phase === 'training' ? state.iteration.id : null;
  useEffect(() => {
    if (!followedId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const iteration = await api.training<Iteration>('GET', `/projects/${projectId}/iterations/${followedId}`);
        if (!live) return;
        setPollError(null);
        if (iteration.status === 'Completed') {
          setState({ phase: 'completed', iteration, seconds: secondsSince(iteration.created, Date.parse(iteration.trainedAt ?? '') || Date.now()) });
          onCompleted(iteration);
          return;
        }
        if (iteration.status !== 'Training') {
          setState({ phase: 'failed', iteration });
          return;
        }
      } catch (error) {
        if (live) setPollError(error);
      }
      if (live) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // onCompleted is the caller's navigation: a new closure each render must not restart polling.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, projectId, followedId]);

  return { state, pollError, follow };
}
