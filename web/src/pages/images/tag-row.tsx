/** @module One entry of the tag list: a button that shows its images (name and count), and for real tags Rename (in place) and Delete. */
import { useEffect, useRef, useState } from 'preact/hooks';

export function FilterButton({ name, count, active, kind, onShow }: { name: string; count: number | undefined; active: boolean; kind: string; onShow: () => void }) {
  return (
    <button type="button" class="tag-filter" aria-pressed={active} data-kind={kind} onClick={onShow}>
      <span class="tag-name">{name}</span>
      <span class="tag-count">{count ?? '…'}</span>
    </button>
  );
}

export function TagRow({
  name,
  count,
  active,
  onShow,
  onRename,
  onDelete,
}: {
  name: string;
  count: number;
  active: boolean;
  onShow: () => void;
  /** Resolves once renamed; rejects with the API's error (the form stays open). */
  onRename: (name: string) => Promise<void>;
  onDelete: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(name);
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Focus goes into the form when it opens, and back to Rename when it closes.
  useEffect(() => {
    if (editing) input.current?.select();
    else if (wasEditing.current) renameButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    try {
      await onRename(draft.trim());
      setEditing(false);
    } catch {
      // The manager shows the API's message; the form stays open to correct the name.
    } finally {
      setSaving(false);
    }
  };

  if (editing) {
    return (
      <form class="tag-rename" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}>
        <label>
          New name for {name}
          <input ref={input} type="text" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} required maxLength={256} />
        </label>
        <div class="actions">
          <button type="submit" class="primary" disabled={saving || !draft.trim()}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  return (
    <>
      <FilterButton name={name} count={count} active={active} kind="tag" onShow={onShow} />
      <span class="tag-actions">
        <button
          ref={renameButton}
          type="button"
          class="link"
          aria-label={`Rename tag ${name}`}
          onClick={() => {
            setDraft(name);
            setEditing(true);
          }}
        >
          Rename
        </button>
        <button type="button" class="link" aria-label={`Delete tag ${name}`} onClick={onDelete}>
          Delete
        </button>
      </span>
    </>
  );
}
