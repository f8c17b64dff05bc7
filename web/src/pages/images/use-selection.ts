/** @module The images the user ticked: a set of ids with toggle, select-these and clear. */
import { useCallback, useState } from 'preact/hooks';

export interface Selection {
  ids: ReadonlySet<string>;
  toggle: (id: string, on: boolean) => void;
  /** Ticks (or unticks) all of `ids` at once. */
  setMany: (ids: readonly string[], on: boolean) => void;
  clear: () => void;
}

export function useSelection(): Selection {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const setMany = useCallback((changed: readonly string[], on: boolean) => {
    setIds((previous) => {
      const next = new Set(previous);
      for (const id of changed) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);
  const toggle = useCallback((id: string, on: boolean) => setMany([id], on), [setMany]);
  const clear = useCallback(() => setIds(new Set()), []);
  return { ids, toggle, setMany, clear };
}
