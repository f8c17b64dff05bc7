/** @module The project dialog, for a new project and for editing one: name, description, classification type, domain. */
import { useState } from 'preact/hooks';
import type { ClassificationType, Domain } from '../../api/types';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { DomainSelect } from './domain-select';

/** The API's limit on a project name. */
const MAX_NAME = 200;

export interface ProjectFields {
  name: string;
  description: string;
  classificationType: ClassificationType;
  domainId: string;
}

export function ProjectFormDialog({
  title,
  submitLabel,
  initial,
  domains,
  onSubmit,
  onClose,
}: {
  title: string;
  submitLabel: string;
  initial: ProjectFields;
  domains: Domain[];
  /** Rejects with the API's error, shown in the dialog. */
  onSubmit: (fields: ProjectFields) => Promise<void>;
  onClose: () => void;
}) {
  const [fields, setFields] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const set = (change: Partial<ProjectFields>) => setFields((f) => ({ ...f, ...change }));

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaving(true);
    try {
      await onSubmit({ ...fields, name: fields.name.trim(), description: fields.description.trim() });
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  };

  return (
    <Dialog title={title} open onClose={onClose}>
      <form class="project-form" onSubmit={submit}>
        <div class="dialog-body">
          <label>
            Name
            <input type="text" required maxLength={MAX_NAME} value={fields.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          </label>
          <label>
            Description
            <textarea value={fields.description} onInput={(e) => set({ description: e.currentTarget.value })} />
          </label>
          <fieldset>
            <legend>Classification type</legend>
            <label class="choice">
              <input type="radio" name="classificationType" checked={fields.classificationType === 'Multiclass'} onChange={() => set({ classificationType: 'Multiclass' })} />
              Multiclass <span class="hint">(one tag per image)</span>
            </label>
            <label class="choice">
              <input type="radio" name="classificationType" checked={fields.classificationType === 'Multilabel'} onChange={() => set({ classificationType: 'Multilabel' })} />
              Multilabel <span class="hint">(several tags per image)</span>
            </label>
          </fieldset>
          <DomainSelect domains={domains} value={fields.domainId} onChange={(domainId) => set({ domainId })} />
          <ErrorMessage error={error} />
        </div>
        <footer class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={saving || !fields.name.trim()}>
            {saving ? 'Saving…' : submitLabel}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
