/** @module Changing the prediction key: checked against the service as at sign-in, then kept for this tab. */
import { useState } from 'preact/hooks';
import type { Keys } from '../../api/client';
import { ErrorMessage, Notice } from '../../components/error-message';
import { checkKeys } from '../login/check-keys';

export function PredictionKeyForm({ keys, onKeysChanged }: { keys: Keys; onKeysChanged: (keys: Keys) => void }) {
  const [predictionKey, setPredictionKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    setChecking(true);
    const changed = { ...keys, predictionKey: predictionKey.trim() };
    try {
      await checkKeys(changed);
      onKeysChanged(changed);
      setPredictionKey('');
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setChecking(false);
    }
  };

  return (
    <form class="card settings-form" onSubmit={submit}>
      <h2>Change the prediction key</h2>
      <p class="hint">The Prediction URL dialog and the published endpoint need it. It is checked against the service and kept in this browser tab only.</p>
      <label>
        New prediction key
        <input type="password" autoComplete="off" required value={predictionKey} onInput={(e) => setPredictionKey(e.currentTarget.value)} />
      </label>
      <ErrorMessage error={error} />
      {saved && <Notice>The prediction key works and is saved for this tab.</Notice>}
      <button type="submit" class="primary" disabled={checking || !predictionKey.trim()}>
        {checking ? 'Checking…' : 'Save prediction key'}
      </button>
    </form>
  );
}
