/** @module The tags to give new images: one checkbox per project tag, in a labelled group. */
import type { Tag } from '../../api/types';

export function TagPicker({ legend, tags, chosen, onChange, disabled }: { legend: string; tags: readonly Tag[]; chosen: ReadonlySet<string>; onChange: (chosen: Set<string>) => void; disabled?: boolean }) {
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset class="tag-picker" disabled={disabled}>
      <legend>{legend}</legend>
      {tags.length === 0 && <span class="hint">No tags yet: create them under Tags, or add the images untagged.</span>}
      {tags.map((tag) => (
        <label key={tag.id} class="check-inline">
          <input type="checkbox" checked={chosen.has(tag.id)} onChange={(e) => toggle(tag.id, e.currentTarget.checked)} />
          {tag.name}
        </label>
      ))}
    </fieldset>
  );
}
