/** The training queue's order on its own: resources take turns, and the log says where a queued iteration is. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrainingJob, TrainingResult } from '../../../server/ml/pipeline';
import type { SharedStore } from '../../../server/projects/context';
import { TrainingQueue, type Trainer } from '../../../server/projects/training-queue';

/** Iterations as the queue reads them (all Training, each in a project of its own, owned by `owners[id]`), and what it records. */
function fakeStore(ids: string[], owners: Record<string, string> = {}) {
  const status = new Map(ids.map((id) => [id, 'Training']));
  const store = {
    iterations: {
      byId: (id: string) => (status.has(id) ? { id, projectId: `project-of-${id}`, status: status.get(id), classificationType: 'Multiclass' } : undefined),
      ownerOf: (id: string) => (status.has(id) ? owners[id] : undefined),
      snapshotImages: () => [],
      snapshotTags: () => [],
    },
    trainingRuns: {
      inProgress: () => ids.filter((id) => status.get(id) === 'Training'),
      recordCompletion: (id: string) => status.set(id, 'Completed'),
      recordFailure: (id: string) => status.set(id, 'Failed'),
    },
  };
  return { store: store as unknown as SharedStore, status };
}

/** A trainer that trains one job at a time when told to, noting the order in which jobs reached it. */
function steppedTrainer() {
  const started: number[] = [];
  const pending: (() => void)[] = [];
  let jobs = 0;
  const trainer: Trainer = {
    train: (_job: TrainingJob) => {
      started.push(jobs++);
      return new Promise<TrainingResult>((resolve) =>
        pending.push(() => resolve({ model: { lambda: 1 }, foldOf: [], heldOut: [], timings: { embeddedImages: 0, cachedImages: 0, featureMs: 0, fitMs: 0 } } as unknown as TrainingResult)),
      );
    },
    close: async () => {},
  };
  return {
    trainer,
    runningCount: () => pending.length,
    /** Finishes the running job and lets the queue start the next. */
    async finishOne() {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** A queue over `store` and `trainer` that keeps its log lines and the order in which iterations started training. */
function recordingQueue(store: ConstructorParameters<typeof TrainingQueue>[0], trainer: Trainer) {
  const lines: string[] = [];
  const order: string[] = [];
  const queue = new TrainingQueue(store, trainer, (line) => {
    lines.push(line);
    const started = / iteration (\S+) \(\S+\) training after/.exec(line);
    if (started) order.push(started[1]);
  });
  return { queue, lines, order };
}

describe('TrainingQueue', () => {
  it('takes the resources in turn: B and C, queued after A queued three, start before A’s second', async () => {
    const ids = ['a1', 'a2', 'a3', 'b1', 'c1', 'c2'];
    const { store, status } = fakeStore(ids);
    const stepped = steppedTrainer();
    const { queue, lines, order } = recordingQueue(store, stepped.trainer);
    queue.enqueue('a1', 'A');
    queue.enqueue('a2', 'A');
    queue.enqueue('a3', 'A');
    queue.enqueue('b1', 'B');
    queue.enqueue('c1', 'C');
    queue.enqueue('c2', 'C');
    assert.equal(stepped.runningCount(), 1, 'one training at a time');
    assert.deepEqual(queue.size(), { waiting: 5, running: 1 });
    const idle = queue.idle();
    for (let i = 0; i < ids.length; i++) await stepped.finishOne();
    await idle;
    assert.deepEqual(order, ['a1', 'b1', 'c1', 'a2', 'c2', 'a3'], 'A, whose first started, waits for B and C to have theirs');
    assert.ok(ids.every((id) => status.get(id) === 'Completed'));
    const placeOf = (id: string) => lines.find((l) => l.includes(`iteration ${id} `) && l.includes('queued:'));
    assert.match(placeOf('a2') ?? '', /queued: 2nd in line, behind A \(training\)$/);
    assert.match(placeOf('b1') ?? '', /queued: 2nd in line, behind A \(training\)$/, "B goes before A's second");
    assert.match(placeOf('c1') ?? '', /queued: 3rd in line, behind A \(training\), B$/);
    assert.match(placeOf('c2') ?? '', /queued: 5th in line, behind A \(training\), B, C, A$/, "C's second comes after A's second, before A's third");
    assert.match(placeOf('a3') ?? '', /queued: 3rd in line, behind A \(training\), A$/, 'when a3 came, only a2 waited');
    assert.equal(placeOf('a1'), undefined, 'a1 started at once');
  });

  it('a resource that queues again after the others goes behind them', async () => {
    const { store } = fakeStore(['a1', 'b1', 'a2', 'b2']);
    const stepped = steppedTrainer();
    const { queue, order } = recordingQueue(store, stepped.trainer);
    queue.enqueue('a1', 'A');
    queue.enqueue('b1', 'B');
    queue.enqueue('a2', 'A');
    queue.enqueue('b2', 'B');
    for (let i = 0; i < 4; i++) await stepped.finishOne();
    await queue.idle();
    assert.deepEqual(order, ['a1', 'b1', 'a2', 'b2']);
  });

  it('a deleted or no longer Training iteration is skipped, and the queue goes on', async () => {
    const { store, status } = fakeStore(['a1', 'a2', 'b1']);
    const stepped = steppedTrainer();
    const queue = new TrainingQueue(store, stepped.trainer, () => {});
    queue.enqueue('a1', 'A');
    queue.enqueue('a2', 'A');
    queue.enqueue('b1', 'B');
    status.delete('b1'); // deleted while it waited
    await stepped.finishOne();
    await stepped.finishOne();
    await queue.idle();
    assert.equal(status.get('a2'), 'Completed');
  });

  it('resumes interrupted iterations at start for their resources: two projects of A take turns with B as queued trainings do', async () => {
    // Recorded in this order; a1 and a2 are in two projects of the same resource A.
    const { store, status } = fakeStore(['a1', 'a2', 'b1', 'gone'], { a1: 'A', a2: 'A', b1: 'B' });
    status.delete('gone'); // deleted with its project since: not resumed
    const stepped = steppedTrainer();
    const { queue, lines, order } = recordingQueue(store, stepped.trainer);
    assert.equal(queue.resumeInterrupted(), 3);
    for (let i = 0; i < 3; i++) await stepped.finishOne();
    await queue.idle();
    assert.deepEqual(order, ['a1', 'b1', 'a2'], "B's training goes before A's second, as if they had been queued through the API");
    assert.ok(['a1', 'a2', 'b1'].every((id) => status.get(id) === 'Completed'));
    assert.ok(lines.some((l) => l.endsWith('iteration b1 (B) queued: 2nd in line, behind A (training)')), lines.join('\n'));
  });
});
