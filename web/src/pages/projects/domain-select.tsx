/** @module The domain picker: classification domains only, compact (exportable) ones grouped apart and saying so. */
import { useId } from 'preact/hooks';
import type { Domain } from '../../api/types';

export function classificationDomains(domains: Domain[]): Domain[] {
  return domains.filter((d) => d.type === 'Classification' && d.enabled);
}

export function DomainSelect({ domains, value, onChange }: { domains: Domain[]; value: string; onChange: (domainId: string) => void }) {
  const usable = classificationDomains(domains);
  const compact = usable.filter((d) => d.exportable);
  const cloud = usable.filter((d) => !d.exportable);
  const chosen = usable.find((d) => d.id === value);
  const id = useId();
  return (
    <div class="field">
      <label for={id}>Domain</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)} aria-describedby={`${id}-hint`}>
        <optgroup label="Compact: exportable (ONNX, Docker)">
          {compact.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </optgroup>
        <optgroup label="Not exportable: use through the prediction endpoint">
          {cloud.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </optgroup>
      </select>
      <span id={`${id}-hint`} class="hint">
        {chosen?.exportable
          ? `${chosen.name} is compact: its iterations can be exported as ${chosen.exportablePlatforms.join(' or ')} to run offline.`
          : `${chosen?.name ?? 'This domain'} is not compact: its iterations are used through the prediction endpoint and cannot be exported.`}
      </span>
    </div>
  );
}
