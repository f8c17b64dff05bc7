/**
 * @module Where the quick test's image comes from: a file (picker or drag-and-drop) or an image URL.
 * Whichever the user gave last is the one tested, and giving one clears the other so it is never ambiguous.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ImageSource } from './run-quick-test';

export function ImageSourceFields({ source, onChange }: { source: ImageSource | null; onChange: (source: ImageSource | null) => void }) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  // Keep the file picker showing what will be tested (a URL typed after a file empties it).
  useEffect(() => {
    if (source?.kind !== 'file' && fileInput.current) fileInput.current.value = '';
  }, [source]);

  const chooseFile = (files: FileList | null | undefined) => {
    const file = files?.[0];
    onChange(file ? { kind: 'file', file } : null);
  };

  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    // Show the dropped file in the picker too: one file, as the quick test takes one image.
    const single = new DataTransfer();
    single.items.add(file);
    if (fileInput.current) fileInput.current.files = single.files;
    onChange({ kind: 'file', file });
  };

  return (
    <div class="image-source">
      <div
        class={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={drop}
      >
        <label class="field">
          Image file
          <input ref={fileInput} type="file" accept="image/jpeg,image/png,image/gif,image/bmp" onChange={(e) => chooseFile(e.currentTarget.files)} />
        </label>
        <p class="hint">…or drop an image here (JPEG, PNG, GIF or BMP).</p>
      </div>
      <p class="or" aria-hidden="true">
        or
      </p>
      <label class="field image-url">
        Image URL
        <input
          type="url"
          placeholder="https://example.com/photo.jpg"
          value={source?.kind === 'url' ? source.url : ''}
          onInput={(e) => {
            const url = e.currentTarget.value.trim();
            onChange(url ? { kind: 'url', url } : null);
          }}
        />
      </label>
    </div>
  );
}
