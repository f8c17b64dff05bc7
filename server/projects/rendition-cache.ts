/**
 * @module Recently rendered thumbnails and resized images, kept in memory up to a byte budget
 * (least recently used go first). Renderings are keyed by the image's content hash, so an entry
 * never goes stale; requests for a rendering already under way share it instead of redoing it.
 */

export class RenditionCache {
  private readonly done = new Map<string, Buffer>();
  private readonly pending = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** The cached rendering under `key`, or `render()`'s, which is then kept. */
  async get(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.done.get(key);
    if (hit) {
      // A Map iterates in insertion order: re-inserting marks the entry as the most recently used.
      this.done.delete(key);
      this.done.set(key, hit);
      return hit;
    }
    const under = this.pending.get(key);
    if (under) return under;
    const rendering = render().finally(() => this.pending.delete(key));
    this.pending.set(key, rendering);
    const bytes = await rendering;
    this.keep(key, bytes);
    return bytes;
  }

  private keep(key: string, bytes: Buffer): void {
    if (bytes.length > this.budgetBytes || this.done.has(key)) return;
    this.done.set(key, bytes);
    this.bytes += bytes.length;
    for (const [oldest, old] of this.done) {
      if (this.bytes <= this.budgetBytes) break;
      this.done.delete(oldest);
      this.bytes -= old.length;
    }
  }
}
