/** @module Turns any failure into a sentence a person can act on, keeping the API's own code and message. */
import { ApiError } from '../api/client';

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      return `The service refused the key (${error.code}): ${error.message} Check the key in Settings, or sign out and sign in with the right one.`;
    }
    if (error.status === 0) return error.message;
    return `${error.message} (${error.code}, HTTP ${error.status})`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
