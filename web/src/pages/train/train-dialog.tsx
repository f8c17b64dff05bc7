/** @module Chooses how to train: Quick (the API's Regular) or Advanced with a budget in hours. */
import { useState } from 'preact/hooks';
import type { Query } from '../../api/client';
import { Dialog } from '../../components/dialog';

/** The query of POST /projects/{id}/train, as the API takes it. */
export type TrainQuery = Query & { trainingType: 'Regular' | 'Advanced'; reservedBudgetInHours?: number };

export function TrainDialog({ open, onClose, onTrain }: { open: boolean; onClose: () => void; onTrain: (query: TrainQuery) => void }) {
  const [advanced, setAdvanced] = useState(false);
  const [hours, setHours] = useState(1);
  const submit = (event: Event) => {
    event.preventDefault();
    onTrain(advanced ? { trainingType: 'Advanced', reservedBudgetInHours: hours } : { trainingType: 'Regular' });
  };
  return (
    <Dialog title="Choose training type" open={open} onClose={onClose}>
      <form class="train-form" onSubmit={submit}>
        <div class="dialog-body">
          <fieldset>
            <legend>Training type</legend>
            <label class="choice">
              <input type="radio" name="training-type" checked={!advanced} onChange={() => setAdvanced(false)} />
              <span>
                Quick training
                <span class="hint">Trains on the current images and tags (the API's Regular training).</span>
              </span>
            </label>
            <label class="choice">
              <input type="radio" name="training-type" checked={advanced} onChange={() => setAdvanced(true)} />
              <span>
                Advanced training
                <span class="hint">Reserves a training budget. The local service runs the same training for both types.</span>
              </span>
            </label>
          </fieldset>
          {advanced && (
            <label>
              Training budget (hours)
              <input type="number" min={1} max={10000} step={1} required value={hours} onInput={(e) => setHours(Number(e.currentTarget.value))} />
            </label>
          )}
        </div>
        <footer class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Start training
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
