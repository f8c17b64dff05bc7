/** @module Upload: drop files or choose them, tick their tags, send them in batches, see each file's status and a summary. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Tag } from '../../api/types';
import { outcomeOf } from './create-status';
import { ResultList } from './result-list';
import { TagPicker } from './tag-picker';
import { queueFiles, uploadFiles, type FileUpload } from './upload-files';

export function UploadPanel({ api, projectId, tags, onUploaded }: { api: Api; projectId: string; tags: readonly Tag[]; onUploaded: () => void }) {
  const [uploads, setUploads] = useState<FileUpload[]>([]);
  const [tagIds, setTagIds] = useState<Set<string>>(new Set());
  const [running, setRunning] = useState(false);
  const [dragging, setDragging] = useState(false);
  /** Whether the list shows a finished upload (then new files start a new list). */
  const [sent, setSent] = useState(false);

  const known = new Set(tags.map((t) => t.id));
  const chosenTagIds = [...tagIds].filter((id) => known.has(id));
  const queued = uploads.filter((u) => u.status === 'queued').length;
  const finished = uploads.filter((u) => outcomeOf(u.status) !== 'pending').length;

  const add = (files: readonly File[]) => {
    if (running || files.length === 0) return;
    // Files added before pressing Upload join the list; after an upload they start a new one.
    const fresh = queueFiles(files);
    setUploads((previous) => (sent ? fresh : [...previous, ...fresh]));
    setSent(false);
  };

  const upload = async () => {
    setRunning(true);
    try {
      await uploadFiles(api, projectId, uploads, chosenTagIds, setUploads);
    } finally {
      setRunning(false);
      setSent(true);
      onUploaded();
    }
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    add([...(e.dataTransfer?.files ?? [])]);
  };

  return (
    <section class="upload-panel card" aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload images</h2>
      <div
        class={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={(e) => !(e.currentTarget as Node).contains(e.relatedTarget as Node | null) && setDragging(false)}
        onDrop={drop}
      >
        <span>Drag image files here, or</span>
        <input
          id="upload-files"
          class="file-input"
          type="file"
          multiple
          accept="image/*"
          disabled={running}
          onChange={(e) => {
            add([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        <label for="upload-files" class="button">
          Choose images
        </label>
      </div>
      <TagPicker legend="Tags for these images" tags={tags} chosen={tagIds} onChange={setTagIds} disabled={running} />
      <div class="actions">
        <button type="button" class="primary" disabled={running || queued === 0} onClick={() => void upload()}>
          {queued ? `Upload ${queued} image${queued === 1 ? '' : 's'}` : 'Upload'}
        </button>
        {uploads.length > 0 && !running && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setUploads([]);
              setSent(false);
            }}
          >
            Clear the list
          </button>
        )}
      </div>
      <ResultList
        label="Files"
        items={uploads.map((u) => ({ name: u.file.name, status: u.status, message: u.message }))}
        progress={running ? `Uploading… ${finished} of ${uploads.length} done` : queued ? `${queued} ready to upload` : undefined}
      />
    </section>
  );
}
