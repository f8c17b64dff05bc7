/** @module Settings: the endpoint, keys and prediction resource id to use in code, as copyable text, and the prediction key to use here. */
import { useState } from 'preact/hooks';
import type { Api, Keys } from '../../api/client';
import { Copyable } from '../../components/copyable';
import { type Connection, envFile, sdkExample } from './code-snippets';
import { PredictionKeyForm } from './prediction-key-form';
import { LAB_PREDICTION_RESOURCE_ID } from './prediction-resource';
import './settings.css';

const MASK = '••••••••••••';
const NO_PREDICTION_KEY = '<your prediction key>';

export function SettingsPage({ api, onKeysChanged }: { api: Api; onKeysChanged: (keys: Keys) => void }) {
  const [showKeys, setShowKeys] = useState(false);
  const shown = (key: string) => (showKeys ? key : MASK);
  const connection: Connection = {
    endpoint: api.endpoint,
    trainingKey: shown(api.keys.trainingKey),
    predictionKey: api.keys.predictionKey ? shown(api.keys.predictionKey) : NO_PREDICTION_KEY,
    predictionResourceId: LAB_PREDICTION_RESOURCE_ID,
  };
  return (
    <section class="settings">
      <h1>Settings</h1>
      <div class="card">
        <h2>Endpoint and keys</h2>
        <p class="hint">Your code talks to this service exactly as it talks to Azure Custom Vision: the same endpoint for training and prediction, and these keys.</p>
        <label class="toggle">
          <input type="checkbox" checked={showKeys} onChange={(e) => setShowKeys(e.currentTarget.checked)} />
          Show keys
        </label>
        <Copyable label="Endpoint" text={connection.endpoint} />
        <Copyable label="Training key" text={connection.trainingKey} />
        <Copyable label="Prediction key" text={connection.predictionKey} />
        {!api.keys.predictionKey && <p class="hint">No prediction key was given at sign-in: enter it below.</p>}
        <Copyable label="Prediction resource id" text={connection.predictionResourceId} />
        <p class="hint">Publishing needs a prediction resource id. The local service accepts any text; the lab uses this one.</p>
        {!showKeys && <p class="hint">The keys are hidden: tick Show keys to see and copy them.</p>}
      </div>
      <div class="card">
        <h2>In code</h2>
        <Copyable label=".env" text={envFile(connection)} multiline />
        <p class="hint">
          With these variables the lab's notebooks use this service as they would use Azure (they do not start it for you). Without them they use the local service on its defaults.
        </p>
        <Copyable label="TypeScript (Custom Vision SDK)" text={sdkExample(connection)} multiline />
      </div>
      <PredictionKeyForm keys={api.keys} onKeysChanged={onKeysChanged} />
    </section>
  );
}
