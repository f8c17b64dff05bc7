/** @module Quick Test: classify one image, a file or a URL, with a chosen trained iteration, and show the tag probabilities beside it. */
import { useState } from 'preact/hooks';
import type { Api } from '../../api/client';
import type { Iteration, Project } from '../../api/types';
import { Busy } from '../../components/busy';
import { ErrorMessage, Notice } from '../../components/error-message';
import { useAsync } from '../../components/use-async';
import { completedIterations, iterationLabel } from './completed-iterations';
import { ImageSourceFields } from './image-source-fields';
import { QuickTestResult } from './quick-test-result';
import { runQuickTest, type ImageSource, type QuickTestOutcome } from './run-quick-test';
import './quick-test.css';

export function QuickTestPage({ api, project }: { api: Api; project: Project }) {
  const iterations = useAsync(() => api.training<Iteration[]>('GET', `/projects/${project.id}/iterations`).then(completedIterations), [api, project.id]);
  const [chosenIterationId, setChosenIterationId] = useState('');
  const [source, setSource] = useState<ImageSource | null>(null);
  const [running, setRunning] = useState(false);
  const [outcome, setOutcome] = useState<QuickTestOutcome | null>(null);
  const [error, setError] = useState<unknown>(null);

  if (iterations.error && !iterations.value) return <ErrorMessage error={iterations.error} />;
  if (!iterations.value) return <Busy label="Loading the iterations…" />;
  const choices = iterations.value;
  const iterationId = chosenIterationId || choices[0]?.id || '';

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!source || !iterationId) return;
    // The previous answer goes at once, so what shows next is this test's.
    setOutcome(null);
    setError(null);
    setRunning(true);
    try {
      setOutcome(await runQuickTest(api, project.id, iterationId, source));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  };

  return (
    <div class="quick-test">
      <h2>Quick Test</h2>
      {choices.length === 0 ? (
        <Notice>No trained iteration yet: press Train, then test images here.</Notice>
      ) : (
        <form class="quick-test-form card" onSubmit={submit}>
          <label class="field">
            Iteration
            <select value={iterationId} onChange={(e) => setChosenIterationId(e.currentTarget.value)}>
              {choices.map((i) => (
                <option key={i.id} value={i.id}>
                  {iterationLabel(i)}
                </option>
              ))}
            </select>
          </label>
          <ImageSourceFields source={source} onChange={setSource} />
          <div class="actions">
            <button type="submit" class="primary" disabled={!source || running}>
              Quick test
            </button>
            {running && <Busy label="Testing…" />}
          </div>
          <ErrorMessage error={error} onDismiss={() => setError(null)} />
        </form>
      )}
      {outcome && <QuickTestResult outcome={outcome} iteration={choices.find((i) => i.id === outcome.prediction.iteration)} projectId={project.id} />}
    </div>
  );
}
