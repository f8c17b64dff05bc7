/** @module A modal dialog on the browser's own <dialog>: focus moves in, Escape closes, focus returns. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Dialog({ title, open, onClose, children, wide }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class={wide ? 'wide' : undefined} aria-label={title} onClose={onClose} onCancel={onClose}>
      <header class="dialog-header">
        <h2>{title}</h2>
        <button type="button" class="icon" onClick={onClose} aria-label="Close">
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  );
}

/** Asks before something that cannot be undone; `onConfirm` runs only on "yes". */
export function ConfirmDialog({ title, open, confirmLabel, onConfirm, onClose, children }: { title: string; open: boolean; confirmLabel: string; onConfirm: () => void; onClose: () => void; children: ComponentChildren }) {
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <div class="dialog-body">{children}</div>
      <footer class="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}
