/** @module Training images: the tags at the side, upload and add-by-URL, then the grid of thumbnails with selection and paging. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Project, Tag } from '../../api/types';
import { ErrorMessage } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { ALL_IMAGES, filterTitle, type ImageFilter } from './filters';
import { countImages, type ImageCounts } from './image-api';
import { ImageGrid } from './image-grid';
import './images.css';
import { SelectionToolbar } from './selection-toolbar';
import { TagManager } from './tag-manager';
import { UploadPanel } from './upload-panel';
import { UrlAddPanel } from './url-add-panel';
import { useImagePages } from './use-image-pages';
import { useSelection } from './use-selection';

/** How many images the current filter matches, from the counts and the tags' image counts. */
function matching(filter: ImageFilter, counts: ImageCounts | undefined, tags: readonly Tag[]): number | undefined {
  if (filter.kind === 'tag') return tags.find((t) => t.id === filter.tagId)?.imageCount;
  return counts?.[filter.kind];
}

export function ImagesPage({ api, project }: { api: Api; project: Project }) {
  const [filter, setFilter] = useState<ImageFilter>(ALL_IMAGES);
  /** Bumped after anything changes the images or tags: counts, tags and the grid load again. */
  const [revision, setRevision] = useState(0);
  const changed = useCallback(() => setRevision((r) => r + 1), []);
  const selection = useSelection();

  const tagsAndCounts = useAsync(async () => {
    const [tags, counts] = await Promise.all([api.training<Tag[]>('GET', `/projects/${project.id}/tags`), countImages(api, project.id)]);
    return { tags, counts, revision };
  }, [api, project.id, revision]);
  // Busy from the very render that bumps the revision, so no one reads the old counts as new.
  const countsBusy = tagsAndCounts.loading || tagsAndCounts.value?.revision !== revision;
  const tags = tagsAndCounts.value?.tags ?? [];
  const counts = tagsAndCounts.value?.counts;
  const total = matching(filter, counts, tags);
  // Only counts of the current revision may end the paging.
  const pages = useImagePages(api, project.id, filter, revision, countsBusy ? undefined : total);
  const heading = filterTitle(filter, tags);

  // The selection holds only images the grid shows: none acted on unseen (untagged out of the filter, deleted).
  const { ids: selectedIds, setMany } = selection;
  useEffect(() => {
    if (pages.loading) return;
    const shown = new Set(pages.images.map((i) => i.id));
    const gone = [...selectedIds].filter((id) => !shown.has(id));
    if (gone.length) setMany(gone, false);
  }, [pages.images, pages.loading, selectedIds, setMany]);

  const show = (next: ImageFilter) => {
    selection.clear();
    setFilter(next);
  };

  return (
    <div class="images-layout">
      <aside class="images-sidebar card">
        <ErrorMessage error={tagsAndCounts.error} />
        <TagManager api={api} projectId={project.id} tags={tags} counts={counts} filter={filter} onFilter={show} onChanged={changed} busy={countsBusy} />
      </aside>
      <div class="images-main">
        <UploadPanel api={api} projectId={project.id} tags={tags} onUploaded={changed} />
        <UrlAddPanel api={api} projectId={project.id} tags={tags} onAdded={changed} />
        <section class="images-grid-section" aria-labelledby="grid-heading">
          <h2 id="grid-heading">
            {heading.tagName === undefined ? heading.title : <>{heading.title}: <span class="filter-name">{heading.tagName}</span></>}
          </h2>
          <p class="hint" aria-live="polite">
            {pages.loading && pages.images.length === 0 ? 'Loading…' : `Showing ${pages.images.length}${total === undefined ? '' : ` of ${total}`}`}
          </p>
          <SelectionToolbar api={api} projectId={project.id} tags={tags} shown={pages.images} selection={selection} onChanged={changed} />
          <ErrorMessage error={pages.error} />
          {!pages.loading && pages.images.length === 0 && !pages.error && <p class="empty-grid">No images here yet. Upload some above.</p>}
          <ImageGrid images={pages.images} selected={selection.ids} onToggle={selection.toggle} hasMore={pages.hasMore} loading={pages.loading} onLoadMore={pages.loadMore} labelledBy="grid-heading" />
        </section>
      </div>
    </div>
  );
}
