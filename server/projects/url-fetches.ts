/**
 * @module How many image URLs the service fetches at once: a fixed number of slots shared by every
 * resource and handed out to them in turn, and a request's fetches a few at a time.
 */

/** A request's images are fetched this many at a time: a batch of 64 URLs does not take every slot at once. */
export const FETCHES_PER_REQUEST = 4;

/** Image URLs fetched at once, service-wide, by default: a few per student of a busy room, each at most 6 MB. */
export const DEFAULT_URL_FETCHES = 16;

/**
 * The service's fetch slots. A fetch that finds none free waits; a freed slot goes to the waiting
 * resource whose last fetch started longest ago (first come, first served within a resource), so a
 * student's batch of 64 URLs delays another student's quick test by a few fetches, not 64.
 */
export class FetchSlots {
  private free: number;
  /** Waiting fetches per resource, resources in the order they began waiting. */
  private readonly waiting = new Map<string, (() => void)[]>();
  /** When each resource's last fetch started, as a count of starts: the lowest goes next. */
  private readonly lastStart = new Map<string, number>();
  private starts = 0;

  constructor(readonly size: number) {
    this.free = Math.max(1, size);
  }

  /** Runs `fetch` once a slot is free for `resource`; the slot is given back when it settles. */
  async run<T>(resource: string, fetch: () => Promise<T>): Promise<T> {
    await this.take(resource);
    try {
      return await fetch();
    } finally {
      this.giveBack();
    }
  }

  /** Fetches running and waiting (for tests and the log). */
  load(): { running: number; waiting: number } {
    let waiting = 0;
    for (const queue of this.waiting.values()) waiting += queue.length;
    return { running: Math.max(1, this.size) - this.free, waiting };
  }

  private take(resource: string): Promise<void> {
    if (this.free > 0 && this.waiting.size === 0) {
      this.free--;
      this.lastStart.set(resource, this.starts++);
      return Promise.resolve();
    }
    return new Promise((start) => {
      const queue = this.waiting.get(resource);
      if (queue) queue.push(start);
      else this.waiting.set(resource, [start]);
    });
  }

  private giveBack(): void {
    let next: string | undefined;
    for (const resource of this.waiting.keys()) {
      if (next === undefined || (this.lastStart.get(resource) ?? -1) < (this.lastStart.get(next) ?? -1)) next = resource;
    }
    if (next === undefined) {
      this.free++;
      return;
    }
    const queue = this.waiting.get(next) as (() => void)[];
    const start = queue.shift() as () => void;
    if (queue.length === 0) this.waiting.delete(next);
    this.lastStart.set(next, this.starts++);
    start();
  }
}

/** `work` on every item, at most `atOnce` at a time; the results in the items' order. A failure fails the whole, as Promise.all does. */
export async function mapAtMost<T, R>(items: readonly T[], atOnce: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true; // the other workers start nothing more
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  return results;
}
