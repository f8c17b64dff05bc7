/** @module Sign-in: the keys are checked against the service, then kept for this tab only. */
import { useState } from 'preact/hooks';
import type { Keys } from '../../api/client';
import { ErrorMessage } from '../../components/error-message';
import { checkKeys } from './check-keys';

export function LoginPage({ onSignedIn }: { onSignedIn: (keys: Keys) => void }) {
  const [trainingKey, setTrainingKey] = useState('');
  const [predictionKey, setPredictionKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setChecking(true);
    const keys = { trainingKey: trainingKey.trim(), predictionKey: predictionKey.trim() };
    try {
      await checkKeys(keys);
      onSignedIn(keys);
    } catch (failure) {
      setError(failure);
    } finally {
      setChecking(false);
    }
  };

  return (
    <section class="login card">
      <h1>Sign in to the local Custom Vision service</h1>
      <p>
        Give the keys your code uses (<code>VISION_TRAINING_KEY</code> and <code>VISION_PREDICTION_KEY</code> in <code>.env</code>, or the lab's defaults in the README). They stay in this browser tab only.
      </p>
      <form onSubmit={submit}>
        <label>
          Training key
          <input type="password" name="trainingKey" autoComplete="off" required value={trainingKey} onInput={(e) => setTrainingKey(e.currentTarget.value)} />
        </label>
        <label>
          Prediction key <span class="hint">(for Quick Test is not needed; for calling the published endpoint it is)</span>
          <input type="password" name="predictionKey" autoComplete="off" value={predictionKey} onInput={(e) => setPredictionKey(e.currentTarget.value)} />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={checking || !trainingKey.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
