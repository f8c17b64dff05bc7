/** @module What to do with the selected predictions: add them to the training images with a tag, or delete them (after asking). */
import { useState } from 'preact/hooks';
import type { Tag } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';

export function PredictionActions({ selectedCount, tags, working, onAdd, onDelete }: { selectedCount: number; tags: readonly Tag[]; working: boolean; onAdd: (tag: Tag) => void; onDelete: () => void }) {
  const [tagId, setTagId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const tag = tags.find((t) => t.id === tagId);
  const none = selectedCount === 0;
  return (
    <div class="prediction-actions toolbar">
      <span class="selected-count" aria-live="polite">
        {selectedCount} selected
      </span>
      <label class="inline-field">
        Tag
        <select value={tagId} onChange={(e) => setTagId(e.currentTarget.value)}>
          <option value="">Choose a tag…</option>
          {tags.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="primary" disabled={none || !tag || working} onClick={() => tag && onAdd(tag)}>
        Add to training images
      </button>
      <button type="button" class="danger" disabled={none || working} onClick={() => setConfirming(true)}>
        Delete
      </button>
      <ConfirmDialog
        title="Delete predictions"
        open={confirming}
        confirmLabel="Delete"
        onClose={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          onDelete();
        }}
      >
        <p>
          Delete {selectedCount} stored {selectedCount === 1 ? 'prediction' : 'predictions'}, with {selectedCount === 1 ? 'its image' : 'their images'}? Training images are not affected.
        </p>
      </ConfirmDialog>
    </div>
  );
}
