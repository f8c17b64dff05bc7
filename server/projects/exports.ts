/** @module Exports of trained iterations: the spec's rules (compact domains, platforms), and their asynchronous building. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { badRequest, notFound } from '../errors';
import type { HeadModel } from '../ml/head';
import type { ExportRecord, ExportStatus, IterationRecord } from '../store/repositories';
import { newId, now, type ExportLinks, type SharedStore, type Store } from './context';
import { findDomain } from './domains';
import { predictingModel } from './heads';
import { iterationRow } from './iterations';
import { DEFAULT_FLAVORS, EXPORT_PLATFORMS, LOCAL_EXPORTS } from './platforms';

export type { ExportStatus };

export interface Export {
  platform: string;
  status: ExportStatus;
  downloadUri: string;
  flavor: string | null;
  newerVersionAvailable: boolean;
}

/** What a package builder gets: everything about the trained classifier, nothing about storage or HTTP. */
export interface ExportSource {
  platform: string;
  flavor: string | null;
  projectId: string;
  iterationId: string;
  domainType: 'Classification';
  head: HeadModel;
  tags: { id: string; name: string; type: string }[];
}

/** Writes the package zip at `target`; resolves to its size in bytes. */
export type PackageBuilder = (source: ExportSource, target: string) => Promise<number>;

/** The file name real exports use: `<iteration id without dashes>.<Platform>.<Flavor>.zip`. */
export function packageFileName(iterationId: string, platform: string, flavor: string | null): string {
  return `${iterationId.replace(/-/g, '')}.${platform}${flavor ? `.${flavor}` : ''}.zip`;
}

/** What to export: a platform and, for some, a flavor (DockerFile: Linux). */
export interface ExportTarget {
  platform: string;
  flavor: string | null;
}

function toExport(record: ExportRecord, links: ExportLinks): Export {
  const fileName = packageFileName(record.iterationId, record.platform, record.flavor);
  return {
    platform: record.platform,
    status: record.status,
    downloadUri: record.status === 'Done' ? links.exportPackage(record.token, fileName) : '',
    flavor: record.flavor,
    newerVersionAvailable: false,
  };
}

/** Checks the target against what the spec accepts and the local service builds. */
function checkTarget({ platform, flavor }: ExportTarget): void {
  if (!EXPORT_PLATFORMS.includes(platform)) {
    throw badRequest('BadRequest', `Unknown export platform "${platform}": use one of ${EXPORT_PLATFORMS.join(', ')}.`);
  }
  const flavors = LOCAL_EXPORTS[platform];
  if (!flavors) {
    throw badRequest(
      'BadRequestProjectUnsupportedExportPlatform',
      `The local Custom Vision service exports ONNX and DockerFile (Linux) packages only, not ${platform}.`,
    );
  }
  if (!flavors.includes(flavor)) {
    throw badRequest(
      'BadRequestProjectUnsupportedExportPlatform',
      `The local service builds ${platform} with flavor ${flavors.map((f) => f ?? '(none)').join(' or ')}, not ${flavor}.`,
    );
  }
}

/** Checks that the iteration can be exported: trained, on the current backbone, in a compact domain. */
function checkExportable(store: SharedStore, iteration: IterationRecord): void {
  if (iteration.status === 'Training') throw badRequest('BadRequestExportWhileTraining', `Iteration "${iteration.name}" is still training.`);
  predictingModel(store, iteration);
  const domain = findDomain(iteration.domainId);
  if (!domain?.exportable) {
    throw badRequest(
      'BadRequestExportValidationFailed',
      `Iteration "${iteration.name}" was trained in the ${domain?.name ?? 'unknown'} domain, which cannot be exported: switch the project to a compact domain (e.g. General (compact)) and train again.`,
    );
  }
}

export class Exporter {
  private readonly folder: string;

  constructor(
    private readonly store: SharedStore,
    dataDir: string,
    private readonly build: PackageBuilder,
    private readonly log: (line: string) => void,
  ) {
    this.folder = path.join(dataDir, 'exports');
    mkdirSync(this.folder, { recursive: true });
    // Builds cut short by a stop or crash are not resumed: mark them so a client can ask again.
    this.store.exports.setAllStatus('Exporting', 'Failed', 'The service stopped during the export: request it again.', now());
  }

  /** Builds in progress, so that closing waits for them rather than pulling the database from under them. */
  private readonly running = new Set<Promise<void>>();
  /** Done exports whose package file is being built again (see sweep), by token: their downloads wait for it. */
  private readonly rebuilds = new Map<string, Promise<void>>();

  private track(build: Promise<void>): void {
    this.running.add(build);
    void build.finally(() => this.running.delete(build));
  }

  /** Waits for the builds in progress (each ends by recording Done or Failed). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  fileOf(token: string): string {
    return path.join(this.folder, `${token}.zip`);
  }

  /** The iteration's exports; it is looked up in the resource's `store`, as every rule looks projects up. */
  list(store: Store, projectId: string, iterationId: string, links: ExportLinks): Export[] {
    const iteration = iterationRow(store, projectId, iterationId);
    return this.store.exports.ofIteration(iteration.id).map((record) => toExport(record, links));
  }

  /** Validates, records an export with status Exporting, and builds it in the background. */
  request(store: Store, projectId: string, iterationId: string, requested: ExportTarget, links: ExportLinks): Export {
    const iteration = iterationRow(store, projectId, iterationId);
    // One export per package: a DockerFile asked for without a flavor is the Linux one, not a second build.
    const target = { platform: requested.platform, flavor: requested.flavor ?? DEFAULT_FLAVORS[requested.platform] ?? null };
    checkTarget(target);
    checkExportable(this.store, iteration);
    const { platform, flavor } = target;
    const existing = this.store.exports.current(iteration.id, platform, flavor);
    if (existing?.status === 'Exporting') throw badRequest('BadRequestExportAlreadyInProgress', `A ${platform} export of this iteration is already in progress.`);
    if (existing) return toExport(existing, links);

    const created = now();
    const record: ExportRecord = {
      id: newId(),
      iterationId: iteration.id,
      platform,
      flavor,
      status: 'Exporting',
      token: randomBytes(24).toString('base64url'),
      error: null,
      created,
      lastModified: created,
    };
    this.store.atomically(() => {
      // A failed attempt is replaced by the new one.
      this.store.exports.deleteFailed(iteration.id, platform, flavor);
      this.store.exports.insert(record);
    });
    this.track(this.run(record, iteration));
    return toExport(record, links);
  }

  /** Builds the package; never rejects. A rebuild keeps its Done status when it succeeds (its link never stopped being valid). */
  private async run(record: ExportRecord, iteration: IterationRecord, { rebuild = false } = {}): Promise<void> {
    const started = Date.now();
    const target = this.fileOf(record.token);
    const partial = `${target}.tmp`;
    try {
      const head = predictingModel(this.store, iteration);
      const source: ExportSource = {
        platform: record.platform,
        flavor: record.flavor,
        projectId: iteration.projectId,
        iterationId: iteration.id,
        domainType: 'Classification',
        head,
        tags: this.store.iterations.snapshotTags(iteration.id),
      };
      const bytes = await this.build(source, partial);
      renameSync(partial, target);
      if (!rebuild) this.store.exports.setStatus(record.id, 'Done', null, now());
      this.log(`${now()} export ${record.platform}${record.flavor ? `/${record.flavor}` : ''} of iteration ${iteration.id} Done in ${Date.now() - started} ms (${bytes} bytes)`);
    } catch (error) {
      rmSync(partial, { force: true });
      const reason = error instanceof Error ? error.message : String(error);
      this.store.exports.setStatus(record.id, 'Failed', reason, now());
      this.log(`${now()} export ${record.platform} of iteration ${iteration.id} Failed: ${reason}`);
    }
  }

  /** The zip behind a download token (once a rebuild of it has finished), or NotFound. */
  async download(token: string): Promise<{ file: string; name: string }> {
    const record = this.store.exports.doneByToken(token);
    if (!record) throw notFound('NotFound', 'No export at this address.');
    const file = this.fileOf(record.token);
    if (!existsSync(file)) await this.rebuilds.get(record.token);
    if (!existsSync(file)) throw notFound('NotFound', 'No export at this address.');
    return { file, name: packageFileName(record.iterationId, record.platform, record.flavor) };
  }

  /**
   * At startup, before any build: removes packages cut short by a stop (their .tmp files) and
   * package files whose export rows are gone (deleted iterations or projects).
   */
  sweep(): void {
    const tokens = new Set(this.store.exports.tokens());
    for (const name of readdirSync(this.folder)) {
      if (name.endsWith('.tmp') || !tokens.has(name.replace(/\.zip$/, ''))) rmSync(path.join(this.folder, name), { force: true });
    }
  }

  /**
   * Once the service listens: builds again, one at a time and under the same link, Done packages
   * whose file is gone (a data folder copied without its exports, a deleted file). They stay Done
   * meanwhile, their downloads waiting for the rebuild, so a stop before it ends loses nothing:
   * the next start builds them again.
   */
  rebuildMissing(): void {
    let previous: Promise<void> = Promise.resolve();
    for (const record of this.store.exports.withStatus('Done')) {
      const iteration = this.store.iterations.byId(record.iterationId);
      if (!iteration || existsSync(this.fileOf(record.token))) continue;
      const rebuilt = previous.then(() => {
        this.log(`${now()} export ${record.platform} of iteration ${iteration.id}: its package file is missing, building it again`);
        return this.run(record, iteration, { rebuild: true });
      });
      this.rebuilds.set(record.token, rebuilt);
      previous = rebuilt;
    }
    this.track(previous.finally(() => this.rebuilds.clear()));
  }
}
