/**
 * @module Waiting for the service (training, exports): polls at an interval, gives up at a deadline,
 * and ends at once when the caller aborts, including a request in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AbortSignalLike } from '@azure/ms-rest-js';

/** The options every wait takes. */
export interface WaitOptions {
  /** Time between two polls; default 1000 ms. */
  pollIntervalInMs?: number;
  /** Time to wait in all before giving up with a `TimeoutError` (the service goes on with the job). */
  timeoutInMs?: number;
  /** Ends the wait at once with an `AbortError`; it is also given to every SDK call of the wait. */
  abortSignal?: AbortSignal;
}

/** What a wait gives the code that polls. */
export interface Waiter {
  /** Aborted on the caller's signal or at the deadline: pass it to every request of the wait. */
  readonly signal: AbortSignal;
  elapsedInMs(): number;
  /** Sleeps one poll interval; ends early on abort or at the deadline. */
  pause(): Promise<void>;
}

/**
 * The SDK's request options carrying `signal`. ms-rest-js declares its own AbortSignalLike, whose
 * `onabort` is typed with another `this` than the DOM's; at run time its fetch client just listens
 * for "abort" on a native AbortSignal (a test aborts a request in flight), so the type is asserted here, once.
 */
export function sdkOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignalLike } {
  return { abortSignal: signal as unknown as AbortSignalLike | undefined };
}

/** "300 ms", "1.5 s", "30 min": durations in timeout messages. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  return `${Number((ms / 60_000).toFixed(1))} min`;
}

function namedError(name: 'AbortError' | 'TimeoutError', message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = name;
  return error;
}

/**
 * Runs `poll` under the options' deadline and abort signal. Whatever fails once the caller aborted
 * becomes an AbortError, once the deadline passed a TimeoutError naming the duration; `stillWhat`
 * says what was still going on (e.g. "Iteration 2 is still Training").
 */
export async function waitWith<T>(options: WaitOptions, defaultTimeoutInMs: number, stillWhat: () => string, poll: (waiter: Waiter) => Promise<T>): Promise<T> {
  const started = Date.now();
  const timeoutInMs = options.timeoutInMs ?? defaultTimeoutInMs;
  const deadline = AbortSignal.timeout(timeoutInMs);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, deadline]) : deadline;
  const elapsedInMs = () => Date.now() - started;
  const waiter: Waiter = {
    signal,
    elapsedInMs,
    pause: () => sleep(options.pollIntervalInMs ?? 1000, undefined, { signal }),
  };
  try {
    return await poll(waiter);
  } catch (error) {
    if (options.abortSignal?.aborted) throw namedError('AbortError', `Stopped waiting after ${formatDuration(elapsedInMs())}: aborted (${stillWhat()}).`, options.abortSignal.reason);
    if (deadline.aborted) throw namedError('TimeoutError', `${stillWhat()} after ${formatDuration(timeoutInMs)} (timeoutInMs: ${timeoutInMs}); the service goes on: wait again to see it finish.`);
    throw error;
  }
}
