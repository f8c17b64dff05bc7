/** @module "Working…" with a spinner, announced to screen readers. */
export function Busy({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="busy" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
