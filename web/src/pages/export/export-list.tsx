/** @module An iteration's exports with their status, refreshed every 2 s while one builds, and the download link when Done. */
import { useEffect } from 'preact/hooks';
import type { Export } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage } from '../../components/error-message';
import type { Async } from '../../components/use-async';

const POLL_MS = 2000;

export function platformLabel(item: Pick<Export, 'platform' | 'flavor'>): string {
  return item.flavor ? `${item.platform} (${item.flavor})` : item.platform;
}

export function useExportPolling(exports: Async<Export[]>): void {
  const building = exports.value?.some((e) => e.status === 'Exporting') ?? false;
  useEffect(() => {
    if (!building || exports.loading) return;
    const timer = setTimeout(exports.reload, POLL_MS);
    return () => clearTimeout(timer);
  }, [building, exports.loading, exports.value, exports.reload]);
}

export function ExportList({ exports }: { exports: Async<Export[]> }) {
  if (!exports.value) return exports.error ? <ErrorMessage error={exports.error} /> : <Busy label="Loading exports…" />;
  if (exports.value.length === 0) return <p class="hint">No exports of this iteration yet.</p>;
  return (
    <>
      <table class="export-list">
        <caption>Exports of this iteration</caption>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col">Status</th>
            <th scope="col">Download</th>
          </tr>
        </thead>
        <tbody>
          {exports.value.map((item) => (
            <tr key={`${item.platform}-${item.flavor ?? ''}`}>
              <th scope="row">{platformLabel(item)}</th>
              <td class={`export-status export-${item.status.toLowerCase()}`}>
                {item.status === 'Exporting' ? <Busy label="Exporting…" /> : item.status}
                {item.status === 'Failed' && <span class="hint"> Export again to retry.</span>}
              </td>
              <td>
                {item.status === 'Done' && item.downloadUri ? (
                  <a href={item.downloadUri} download aria-label={`Download ${platformLabel(item)}`}>
                    Download
                  </a>
                ) : (
                  '–'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={exports.error} />
    </>
  );
}
