/** @module Exporting one iteration: the platform (ONNX, or DockerFile for Linux), the Export button, and its exports. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Export, Iteration, Project } from '../../api/types';
import { ErrorMessage } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { ExportList, useExportPolling } from './export-list';

interface Platform {
  platform: string;
  flavor?: string;
  label: string;
  hint: string;
}

const PLATFORMS: Platform[] = [
  { platform: 'ONNX', label: 'ONNX', hint: 'the model (model.onnx) and its labels, for ONNX Runtime on Windows, Linux or macOS' },
  { platform: 'DockerFile', flavor: 'Linux', label: 'DockerFile (Linux)', hint: 'a container that serves the model over HTTP' },
];

export function ExportForm({ api, project, iteration }: { api: Api; project: Project; iteration: Iteration }) {
  const offered = PLATFORMS.filter((p) => !iteration.exportableTo || iteration.exportableTo.includes(p.platform));
  const [chosen, setChosen] = useState(offered[0]?.platform ?? 'ONNX');
  const [error, setError] = useState<unknown>(null);
  const [requesting, setRequesting] = useState(false);
  const path = `/projects/${project.id}/iterations/${iteration.id}/export`;
  const exports = useAsync(() => api.training<Export[]>('GET', path), [api, path]);
  useExportPolling(exports);
  // The API refuses a second build of the same package while one runs.
  const building = exports.value?.some((e) => e.platform === chosen && e.status === 'Exporting') ?? false;

  const request = async (event: Event) => {
    event.preventDefault();
    const target = offered.find((p) => p.platform === chosen);
    if (!target) return;
    setError(null);
    setRequesting(true);
    try {
      await api.training<Export>('POST', path, { query: { platform: target.platform, flavor: target.flavor } });
      exports.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setRequesting(false);
    }
  };

  return (
    <>
      <form class="export-form" onSubmit={request}>
        <fieldset>
          <legend>Platform</legend>
          {offered.map((p) => (
            <label key={p.platform} class="choice">
              <input type="radio" name="platform" value={p.platform} checked={chosen === p.platform} onChange={() => setChosen(p.platform)} />
              {p.label} <span class="hint">({p.hint})</span>
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={requesting || building}>
          {requesting ? 'Requesting…' : 'Export'}
        </button>
        {building && <span class="hint"> This package is being built; it appears below when done.</span>}
      </form>
      <ExportList exports={exports} />
    </>
  );
}
