/** @module Acting on the selected images: select all shown, add or remove a tag, delete (after asking). */
import { useId, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Image, Tag } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorMessage, Notice } from '../../components/error-message';
import { addTag, deleteImages, removeTag } from './image-api';
import type { Selection } from './use-selection';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function SelectionToolbar({ api, projectId, tags, shown, selection, onChanged }: { api: Api; projectId: string; tags: readonly Tag[]; shown: readonly Image[]; selection: Selection; onChanged: () => void }) {
  const [tagId, setTagId] = useState('');
  const [working, setWorking] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const tagSelectId = useId();

  const ids = [...selection.ids];
  const count = ids.length;
  const chosenTag = tags.find((t) => t.id === tagId) ?? tags[0];
  const allShown = shown.length > 0 && shown.every((i) => selection.ids.has(i.id));

  const run = async (label: string, action: () => Promise<void>, outcome: string, clearAfter: boolean) => {
    setWorking(label);
    setDone(null);
    setError(null);
    try {
      await action();
      setDone(outcome);
      if (clearAfter) selection.clear();
    } catch (e) {
      setError(e);
    } finally {
      setWorking(null);
      onChanged();
    }
  };

  const tagSelected = (add: boolean) => {
    if (!chosenTag) return;
    const what = `${add ? 'Added' : 'Removed'} tag “${chosenTag.name}” ${add ? 'to' : 'from'} ${plural(count, 'image')}.`;
    void run(add ? 'Adding the tag…' : 'Removing the tag…', () => (add ? addTag : removeTag)(api, projectId, ids, chosenTag.id), what, false);
  };
  const deleteSelected = () => {
    setConfirmDelete(false);
    void run('Deleting…', () => deleteImages(api, projectId, ids), `Deleted ${plural(count, 'image')}.`, true);
  };

  return (
    <div class="selection-toolbar" role="group" aria-label="Selected images">
      <div class="toolbar">
        <label class="check-inline">
          <input type="checkbox" checked={allShown} disabled={shown.length === 0} onChange={(e) => selection.setMany(shown.map((i) => i.id), e.currentTarget.checked)} />
          Select all shown ({shown.length})
        </label>
        <span class="selection-count" aria-live="polite">
          {plural(count, 'image')} selected
        </span>
        {count > 0 && (
          <button type="button" class="link" onClick={selection.clear}>
            Clear selection
          </button>
        )}
      </div>
      <div class="toolbar">
        <span class="field-inline">
          <label for={tagSelectId}>Tag</label>
          <select id={tagSelectId} value={chosenTag?.id ?? ''} onChange={(e) => setTagId(e.currentTarget.value)} disabled={tags.length === 0}>
            {tags.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </span>
        <button type="button" disabled={count === 0 || !chosenTag || working !== null} onClick={() => tagSelected(true)}>
          Add tag to selected
        </button>
        <button type="button" disabled={count === 0 || !chosenTag || working !== null} onClick={() => tagSelected(false)}>
          Remove tag from selected
        </button>
        <button type="button" class="danger" disabled={count === 0 || working !== null} onClick={() => setConfirmDelete(true)}>
          Delete selected
        </button>
        {working && <span class="hint">{working}</span>}
      </div>
      {done && <Notice>{done}</Notice>}
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      <ConfirmDialog title="Delete images" open={confirmDelete} confirmLabel={`Delete ${plural(count, 'image')}`} onConfirm={deleteSelected} onClose={() => setConfirmDelete(false)}>
        <p>
          Delete {plural(count, 'image')} from the project's training images? Iterations already trained keep their copy; this cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
