/** @module Text to copy into code: shown in full, selectable, with a Copy button. */
import { useState } from 'preact/hooks';

export function Copyable({ label, text, multiline }: { label: string; text: string; multiline?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (a plain-HTTP classroom address): the text stays selectable.
    }
  };
  return (
    <div class="copyable">
      <span class="copyable-label">{label}</span>
      {multiline ? <pre aria-label={label}>{text}</pre> : <code aria-label={label}>{text}</code>}
      <button type="button" onClick={copy} aria-label={`Copy ${label}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
