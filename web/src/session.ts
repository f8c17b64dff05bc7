/**
 * @module What the portal remembers: the keys for this browser tab only (sessionStorage: gone when
 * the tab closes, never in a URL), and the large-type preference (localStorage).
 */
import type { Keys } from './api/client';

const KEYS = 'cvlab.portal.keys';
const LARGE_TYPE = 'cvlab.portal.largeType';

export function loadKeys(): Keys | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEYS) ?? 'null') as Partial<Keys> | null;
    return saved?.trainingKey ? { trainingKey: saved.trainingKey, predictionKey: saved.predictionKey ?? '' } : null;
  } catch {
    return null;
  }
}

export function saveKeys(keys: Keys): void {
  sessionStorage.setItem(KEYS, JSON.stringify(keys));
}

export function forgetKeys(): void {
  sessionStorage.removeItem(KEYS);
}

export function loadLargeType(): boolean {
  return localStorage.getItem(LARGE_TYPE) === '1';
}

export function saveLargeType(on: boolean): void {
  localStorage.setItem(LARGE_TYPE, on ? '1' : '0');
}
