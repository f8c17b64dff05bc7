/** @module An error shown where it happened, announced to screen readers, with the API's words. */
import { describeError } from './describe-error';

export function ErrorMessage({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (error === null || error === undefined) return null;
  return (
    <div class="message error" role="alert">
      <span>{describeError(error)}</span>
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss this message">
          Dismiss
        </button>
      )}
    </div>
  );
}

/** A success or progress note, announced politely. */
export function Notice({ children }: { children: preact.ComponentChildren }) {
  return (
    <div class="message notice" role="status">
      {children}
    </div>
  );
}
