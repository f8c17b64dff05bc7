/**
 * @module `npm run copy-project -- --from <endpoint,key | .env file> --to <...> --project <name or id>
 * [--name <target name>] [--dry-run]`: copies a classification project between two Custom Vision
 * endpoints (Azure or local) with lib's `copyProject`, with a progress bar and a summary. Run it again
 * after an interruption: it resumes, and once complete it copies nothing more.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { trainingClient } from '../lib/src/clients';
import { loadConfig, readEnvFile, type LabConfig } from '../lib/src/config';
import { copyProject, type CopySummary } from '../lib/src/copy-project';
import { ensureLocalService } from '../lib/src/local-service';
import { runMain } from './process/run-main';

const USAGE = `Usage: npm run copy-project -- --from <endpoint,key | path to a .env> --to <endpoint,key | path to a .env> --project <name or id> [--name <target name>] [--dry-run]

A .env names an endpoint as the lab does (VISION_TRAINING_ENDPOINT and VISION_TRAINING_KEY for Azure,
else the local service: CVLAB_LOCAL_ENDPOINT, CVLAB_TRAINING_KEY, or its defaults).`;

/** An endpoint given as `https://...,key` or as a .env file. Copying never publishes, so no prediction resource is needed. */
export function endpointConfig(spec: string): LabConfig {
  const comma = spec.indexOf(',');
  if (/^https?:\/\//i.test(spec) && comma > 0) {
    const endpoint = spec.slice(0, comma).replace(/\/+$/, '');
    const key = spec.slice(comma + 1).trim();
    if (!key) throw new Error(`No key after the comma in "${spec}".`);
    return { kind: 'azure', trainingEndpoint: endpoint, trainingKey: key, predictionEndpoint: endpoint, predictionKey: key, predictionResourceId: '' };
  }
  const file = path.resolve(spec);
  // Only what comes before a comma is repeated: after it may be a key.
  const shown = spec.includes(',') ? `${spec.split(',')[0]},***` : spec;
  if (!existsSync(file)) throw new Error(`"${shown}" is neither <endpoint,key> nor an existing .env file.`);
  return loadConfig({ VISION_PREDICTION_RESOURCE_ID: 'not needed to copy', ...readEnvFile(file) }, file);
}

function printSummary(s: CopySummary): void {
  console.log(`${s.dryRun ? 'Dry run: nothing was changed.\n' : ''}Source: "${s.source.name}" (${s.source.id}), ${s.domain}, ${s.classificationType}`);
  console.log(`Target: "${s.target.name}" ${s.target.created ? (s.dryRun ? 'would be created' : 'created') : 'reused'}${s.target.id ? ` (${s.target.id})` : ''}`);
  console.log(`Tags: ${s.tags.created.length} ${s.dryRun ? 'to create' : 'created'}${s.tags.created.length ? ` (${s.tags.created.join(', ')})` : ''}, ${s.tags.reused.length} already there`);
  if (s.dryRun) {
    console.log(`Images: ${s.total} (${s.tagged} tagged, ${s.untagged} untagged) would be downloaded and uploaded; those already at the target are recognised by content and not added again.`);
  } else {
    console.log(`Images: ${s.total} (${s.tagged} tagged, ${s.untagged} untagged): ${s.added} added, ${s.alreadyThere} already there${s.repaired ? ` (${s.repaired} given missing tags or metadata)` : ''}, ${s.failed.length} failed`);
  }
  for (const f of s.failed) console.log(`  ! image ${f.imageId}: ${f.status}`);
  for (const w of s.warnings) console.log(`  warning: ${w}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, project: { type: 'string' }, name: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help || !values.from || !values.to || !values.project) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const [from, to] = [endpointConfig(values.from), endpointConfig(values.to)];
  for (const config of [from, to]) await ensureLocalService(config);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort(new Error('interrupted')));
  const bar = new SingleBar({ format: 'images |{bar}| {value}/{total} | {added} added, {alreadyThere} already there, {failed} failed | ETA {eta_formatted}', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    const summary = await copyProject({ trainer: trainingClient(from) }, { trainer: trainingClient(to) }, values.project, {
      name: values.name,
      dryRun: values['dry-run'],
      abortSignal: abort.signal,
      onProgress: (p) => {
        if (values['dry-run']) return;
        const payload = { added: p.added, alreadyThere: p.alreadyThere, failed: p.failed.length };
        if (!started) bar.start(p.total, p.done, payload);
        else bar.update(p.done, payload);
        started = true;
      },
    });
    bar.stop();
    printSummary(summary);
    return summary.failed.length === 0 ? 0 : 1;
  } catch (error) {
    bar.stop();
    if (abort.signal.aborted) console.error('Interrupted: run the same command again to resume.');
    throw error;
  }
}

if (require.main === module) runMain(main);
