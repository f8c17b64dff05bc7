/** @module The probability threshold slider, 0–100%, with its value beside it. */
import type { Percent } from './performance-data';

export function ThresholdSlider({ value, onChange }: { value: Percent; onChange: (value: Percent) => void }) {
  return (
    <div class="threshold">
      <label for="probability-threshold">Probability threshold</label>
      <input
        id="probability-threshold"
        type="range"
        min={0}
        max={100}
        step={1}
        value={value}
        aria-valuetext={`${value}%`}
        onInput={(e) => onChange(Number(e.currentTarget.value))}
      />
      <output for="probability-threshold" class="threshold-value">
        {value}%
      </output>
      <p class="hint">A tag counts as predicted when its probability is at least this.</p>
    </div>
  );
}
