/** @module What training is doing now: the iteration and the time it has taken, announced politely. */
import { useEffect, useState } from 'preact/hooks';
import { routeHref } from '../../router';
import { secondsSince, type TrainingState } from './use-training';

/** 75 → "1:15". */
export function minutesAndSeconds(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Re-renders every second so the elapsed time moves between polls. */
function useClock(running: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

export function TrainingStatus({ state, projectId }: { state: TrainingState; projectId: string }) {
  const now = useClock(state.phase === 'training');
  switch (state.phase) {
    case 'idle':
      return null;
    case 'training':
      return (
        <p class="training-status" role="status">
          <span class="spinner" aria-hidden="true" />
          <span>
            Training <strong class="training-iteration">{state.iteration.name}</strong>…{' '}
            <span class="subtle">{minutesAndSeconds(secondsSince(state.iteration.created, now))} elapsed</span>
          </span>
        </p>
      );
    case 'completed':
      return (
        <p class="training-status done" role="status">
          <span>
            <strong class="training-iteration">{state.iteration.name}</strong> trained in {minutesAndSeconds(state.seconds)}.{' '}
            <a href={routeHref({ page: 'project', projectId, tab: 'performance', detail: state.iteration.id })}>See its performance</a>
          </span>
        </p>
      );
    case 'failed':
      return (
        <p class="message error" role="alert">
          Training {state.iteration.name} ended {state.iteration.status}: {state.iteration.trainingErrorDetails || 'the service gave no reason.'}
        </p>
      );
  }
}
