/** @module Add images by URL (CreateImagesFromUrls), 64 per request, with each address's result. */
import { useState } from 'preact/hooks';
import { ApiError, type Api } from '../../api/client';
import type { ImageCreateSummary, Tag } from '../../api/types';
import { describeError } from '../../components/describe-error';
import { chunks } from './image-api';
import { ResultList, type ResultItem } from './result-list';
import { TagPicker } from './tag-picker';

async function addUrls(api: Api, projectId: string, urls: readonly string[], tagIds: readonly string[]): Promise<ResultItem[]> {
  const results: ResultItem[] = [];
  for (const batch of chunks(urls)) {
    try {
      const summary = await api.training<ImageCreateSummary>('POST', `/projects/${projectId}/images/urls`, { json: { images: batch.map((url) => ({ url })), tagIds } });
      results.push(...batch.map((url, i) => ({ name: url, status: summary.images[i]?.status ?? 'ErrorUnknown' })));
    } catch (error) {
      results.push(...batch.map((url) => ({ name: url, status: error instanceof ApiError ? error.code : 'Error', message: describeError(error) })));
    }
  }
  return results;
}

export function UrlAddPanel({ api, projectId, tags, onAdded }: { api: Api; projectId: string; tags: readonly Tag[]; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [tagIds, setTagIds] = useState<Set<string>>(new Set());
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<ResultItem[]>([]);

  const urls = text.split(/\s+/).filter(Boolean);
  const known = new Set(tags.map((t) => t.id));

  const submit = async (e: Event) => {
    e.preventDefault();
    setRunning(true);
    setResults([]);
    try {
      setResults(await addUrls(api, projectId, urls, [...tagIds].filter((id) => known.has(id))));
    } finally {
      setRunning(false);
      onAdded();
    }
  };

  return (
    <details class="url-add card">
      <summary>
        <h2>Add images by URL</h2>
      </summary>
      <form onSubmit={submit}>
        <label>
          Image URLs, one per line
          <textarea value={text} onInput={(e) => setText(e.currentTarget.value)} rows={3} spellcheck={false} />
        </label>
        <TagPicker legend="Tags for these images" tags={tags} chosen={tagIds} onChange={setTagIds} disabled={running} />
        <div class="actions">
          <button type="submit" class="primary" disabled={running || urls.length === 0}>
            {running ? 'Adding…' : 'Add from URLs'}
          </button>
        </div>
      </form>
      <ResultList label="URLs" items={results} />
    </details>
  );
}
