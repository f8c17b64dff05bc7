/**
 * @module `npm run bench:model`: compares model configurations on measures that 30 images cannot
 * fool, and prints the table the defaults are chosen from (see README, "How it trains").
 *
 * Run: npx tsx bench/ml-experiment.ts [--only=<substring of candidate names>] [--seeds=<n>]
 * With --seeds=n, every candidate is run with n cross-validation fold seeds and each figure is
 * printed as its mean and range.
 */
import { ensureAssets } from '../datasets/paths';
import { candidates } from './model/candidates';
import { loadItems } from './model/data';
import { evaluate, scaledKey, type Candidate, type FeatureSets, type IterationOutcome, type Outcome } from './model/evaluate';
import { allFeatures } from './model/features';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = arg('only');
const seeds = Number(arg('seeds') ?? 1);

const pct = (v: number) => (100 * v).toFixed(1);
/** One figure over the seeds: the value, or its mean and range. */
function figure(values: number[]): string {
  if (values.length === 1) return pct(values[0]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${pct(mean)} [${pct(Math.min(...values))}-${pct(Math.max(...values))}]`;
}

function row(c: Candidate, outcomes: Outcome[]): string {
  const of = (pick: (o: IterationOutcome) => number, it: 'first' | 'second') => figure(outcomes.map((o) => pick(o[it])));
  const both = (pick: (o: IterationOutcome) => number) => `${of(pick, 'first')} | ${of(pick, 'second')}`;
  const mean = figure(outcomes.map((o) => (o.first.test8 + o.first.aid + o.second.test8 + o.second.aid) / 4));
  const lambdas = [...new Set(outcomes.map((o) => `${o.first.lambda}/${o.second.lambda}`))].join(' ');
  const fit = outcomes.reduce((s, o) => s + o.first.fitMs, 0) / outcomes.length / 1000;
  return `| ${c.name} | ${both((o) => o.precision)} | ${both((o) => o.recall)} | ${both((o) => o.test)} | ${both((o) => o.test8)} | ${both((o) => o.aid)} | ${mean} | ${lambdas} | ${fit.toFixed(1)} |`;
}

async function main(): Promise<void> {
  await ensureAssets();
  const items = loadItems();
  const chosen = candidates.filter((c) => !only || c.name.includes(only));
  const sets: FeatureSets = { plain: new Map(), scaled: new Map(), jittered: new Map() };
  for (const c of chosen) {
    if (!sets.plain.has(c.colour)) sets.plain.set(c.colour, await allFeatures(items, c.colour));
    for (const size of c.scales) {
      if (!sets.scaled.has(scaledKey(c.colour, size))) sets.scaled.set(scaledKey(c.colour, size), await allFeatures(items, c.colour, { size }));
    }
    const have = sets.jittered.get(c.colour) ?? [];
    for (let copy = have.length; copy < c.jitterCopies; copy++) have.push(await allFeatures(items, c.colour, { jitterSeed: copy + 1 }));
    sets.jittered.set(c.colour, have);
  }
  console.log(
    [
      'it1 / it2: iteration 1 (450 images) / iteration 2 (after the review retags, + the 50 of the second batch), trained as Exercise 1 does.',
      'CV P, CV R: 5-fold held-out precision and recall @0.5. test: top-1 on the 30 test tiles (as served).',
      'test8: mean top-1 over the 8 flips/rotations of each test tile (240 predictions). aid: top-1 on the 240 AID tiles (another sensor, never trained on).',
      `mean: of test8 and aid over both iterations. ${seeds > 1 ? `Each figure: mean [min-max] over ${seeds} fold seeds.` : 'Fold seed 0.'}`,
    ].join('\n'),
  );
  console.log('| candidate | it1 CV P | it2 CV P | it1 CV R | it2 CV R | it1 test | it2 test | it1 test8 | it2 test8 | it1 aid | it2 aid | mean | λ it1/it2 | it1 fit s |');
  console.log(`|${'---|'.repeat(14)}`);
  for (const c of chosen) console.log(row(c, Array.from({ length: seeds }, (_, seed) => evaluate(items, sets, c, seed))));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
