/** @module The Tags side list: show all, tagged, untagged or one tag's images (with counts); create, rename and delete tags. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Tag } from '../../api/types';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { sameFilter, type ImageFilter } from './filters';
import type { ImageCounts } from './image-api';
import { FilterButton, TagRow } from './tag-row';

export function TagManager({
  api,
  projectId,
  tags,
  counts,
  filter,
  onFilter,
  onChanged,
  busy,
}: {
  api: Api;
  projectId: string;
  tags: readonly Tag[];
  counts: ImageCounts | undefined;
  filter: ImageFilter;
  onFilter: (filter: ImageFilter) => void;
  onChanged: () => void;
  /** Tags or counts are (re)loading: the numbers shown may be old. */
  busy: boolean;
}) {
  const [newName, setNewName] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e);
      throw e;
    } finally {
      onChanged();
    }
  };

  const create = async (e: Event) => {
    e.preventDefault();
    setCreating(true);
    try {
      await act(() => api.training<Tag>('POST', `/projects/${projectId}/tags`, { query: { name: newName.trim() } }));
      setNewName('');
    } catch {
      // Shown by act.
    } finally {
      setCreating(false);
    }
  };

  const rename = (tag: Tag, name: string) =>
    act(() => api.training<Tag>('PATCH', `/projects/${projectId}/tags/${tag.id}`, { json: { name, description: tag.description ?? null, type: tag.type } }));

  const remove = async (tag: Tag) => {
    setDeleting(null);
    if (filter.kind === 'tag' && filter.tagId === tag.id) onFilter({ kind: 'all' });
    await act(() => api.training('DELETE', `/projects/${projectId}/tags/${tag.id}`)).catch(() => undefined);
  };

  const special = (name: string, kind: 'all' | 'tagged' | 'untagged', count: number | undefined) => (
    <li>
      <FilterButton name={name} count={count} kind={kind} active={sameFilter(filter, { kind })} onShow={() => onFilter({ kind })} />
    </li>
  );

  return (
    <section class="tag-manager" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      <ul class="tag-list" aria-label="Show images" aria-busy={busy}>
        {special('All images', 'all', counts?.all)}
        {special('Tagged', 'tagged', counts?.tagged)}
        {special('Untagged', 'untagged', counts?.untagged)}
        {tags.map((tag) => (
          <li key={tag.id}>
            <TagRow
              name={tag.name}
              count={tag.imageCount}
              active={sameFilter(filter, { kind: 'tag', tagId: tag.id })}
              onShow={() => onFilter({ kind: 'tag', tagId: tag.id })}
              onRename={(name) => rename(tag, name)}
              onDelete={() => setDeleting(tag)}
            />
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} onDismiss={() => setError(null)} />
      <form class="tag-create" onSubmit={create}>
        <label>
          New tag name
          <input type="text" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} required maxLength={256} />
        </label>
        <button type="submit" disabled={creating || !newName.trim()}>
          Create tag
        </button>
      </form>
      <ConfirmDialog title="Delete tag" open={deleting !== null} confirmLabel="Delete tag" onConfirm={() => deleting && void remove(deleting)} onClose={() => setDeleting(null)}>
        {deleting && (
          <p>
            Delete the tag “{deleting.name}”? It comes off its {deleting.imageCount} image{deleting.imageCount === 1 ? '' : 's'}; the images stay in the project.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
