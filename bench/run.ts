/**
 * @module `npm run bench`: the figures the issues ask for, from one run on this machine, side by
 * side with the raw backbone measured in the same run (the machines are shared and noisy: compare
 * the ratios, not the absolute times).
 */
import { ensureAssets } from '../datasets/paths';
import { startServiceProcess } from '../test/support/service-process';
import { benchClassroom } from './classroom';
import { peakMemoryOf } from './memory';
import { benchPortal } from './portal';
import { benchPrediction } from './prediction';
import { benchTraining } from './training';
import { PUBLISH_NAME, trainSmallProject } from '../test/support/trained-project';

/**
 * `--only=prediction` skips the training figures (and trains a small project to serve instead);
 * `--only=training` stops after them; `--only=portal` measures only the portal; `--only=classroom`
 * runs only the classroom load test (30 students at once, see classroom.ts).
 */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

function print(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}\n`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

async function main(): Promise<void> {
  await ensureAssets();
  if (only === 'classroom') {
    print('Classroom (Exercise 1 through the SDK: one student alone, then the room at once, each student with a resource of their own)', await benchClassroom());
    return;
  }
  const service = await startServiceProcess();
  try {
    if (only === 'portal') {
      print('Web portal (Training images page)', await benchPortal(service));
      return;
    }
    let projectId: string;
    let publishName = 'bench';
    if (only === 'prediction') {
      projectId = (await trainSmallProject(service.url)).projectId;
      publishName = PUBLISH_NAME;
    } else {
      const training = await benchTraining(service);
      print('Training (Exercise 1 on the lab data, through the Training SDK)', training.rows);
      projectId = training.projectId;
      if (only === 'training') return;
    }
    const prediction = await benchPrediction(service, projectId, publishName);
    print(`Prediction (published iteration, POST .../classify/iterations/${publishName}/image/nostore)`, prediction);
    print('Web portal (Training images page)', await benchPortal(service));
    print('Service', [['peak memory of the service process (VmHWM)', peakMemoryOf(service.pid)]]);
  } finally {
    await service.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
