/**
 * cvlab: the lab's shared helpers, imported by the notebooks as `import { ... } from 'cvlab'`.
 * (Placeholder entry point; the real helpers are added by the lib/ owners.)
 */

/** Returns a greeting; used by the notebook smoke test to prove `cvlab` resolves from a tslab kernel. */
export function hello(name: string): string {
  return `Hello, ${name}!`;
}
