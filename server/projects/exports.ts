/** @module Exports of trained iterations: the spec's rules (compact domains, platforms), and their asynchronous building. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { badRequest, notFound } from '../errors';
import { newId, now, type Store } from './context';
import { findDomain } from './domains';
import { iterationRow, predictingModel, snapshotTags, type IterationRow } from './iterations';
import { EXPORT_PLATFORMS, LOCAL_EXPORTS } from './platforms';
import type { HeadModel } from '../ml/head';

export type ExportStatus = 'Exporting' | 'Done' | 'Failed';

export interface Export {
  platform: string;
  status: ExportStatus;
  downloadUri: string;
  flavor: string | null;
  newerVersionAvailable: boolean;
}

interface ExportRow {
  id: string;
  iteration_id: string;
  platform: string;
  flavor: string | null;
  status: ExportStatus;
  token: string;
  error: string | null;
  created: string;
  last_modified: string;
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

function toExport(row: ExportRow, downloadBase: string): Export {
  return {
    platform: row.platform,
    status: row.status,
    downloadUri: row.status === 'Done' ? `${downloadBase}/customvision/exports/${row.token}/${packageFileName(row.iteration_id, row.platform, row.flavor)}` : '',
    flavor: row.flavor,
    newerVersionAvailable: false,
  };
}

export class Exporter {
  private readonly folder: string;

  constructor(
    private readonly store: Store,
    dataDir: string,
    private readonly build: PackageBuilder,
    private readonly log: (line: string) => void,
  ) {
    this.folder = path.join(dataDir, 'exports');
    mkdirSync(this.folder, { recursive: true });
    // Builds cut short by a stop or crash are not resumed: mark them so a client can ask again.
    this.store.db
      .prepare("UPDATE exports SET status = 'Failed', error = 'The service stopped during the export: request it again.', last_modified = ? WHERE status = 'Exporting'")
      .run(now());
  }

  fileOf(token: string): string {
    return path.join(this.folder, `${token}.zip`);
  }

  list(projectId: string, iterationId: string, downloadBase: string): Export[] {
    const iteration = iterationRow(this.store, projectId, iterationId);
    return this.store.db
      .prepare<[string], ExportRow>('SELECT * FROM exports WHERE iteration_id = ? ORDER BY created, rowid')
      .all(iteration.id)
      .map((row) => toExport(row, downloadBase));
  }

  /** Validates, records an export with status Exporting, and builds it in the background. */
  request(projectId: string, iterationId: string, platform: string, flavor: string | null, downloadBase: string): Export {
    const iteration = iterationRow(this.store, projectId, iterationId);
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
    if (iteration.status === 'Training') throw badRequest('BadRequestExportWhileTraining', `Iteration "${iteration.name}" is still training.`);
    predictingModel(this.store, iteration);
    const domain = findDomain(iteration.domain_id);
    if (!domain?.exportable) {
      throw badRequest(
        'BadRequestExportValidationFailed',
        `Iteration "${iteration.name}" was trained in the ${domain?.name ?? 'unknown'} domain, which cannot be exported: switch the project to a compact domain (e.g. General (compact)) and train again.`,
      );
    }
    const existing = this.store.db
      .prepare<[string, string, string | null], ExportRow>("SELECT * FROM exports WHERE iteration_id = ? AND platform = ? AND flavor IS ? AND status != 'Failed'")
      .get(iteration.id, platform, flavor);
    if (existing?.status === 'Exporting') throw badRequest('BadRequestExportAlreadyInProgress', `A ${platform} export of this iteration is already in progress.`);
    if (existing) return toExport(existing, downloadBase);

    const row: ExportRow = {
      id: newId(),
      iteration_id: iteration.id,
      platform,
      flavor,
      status: 'Exporting',
      token: randomBytes(24).toString('base64url'),
      error: null,
      created: now(),
      last_modified: now(),
    };
    this.store.db.transaction(() => {
      // A failed attempt is replaced by the new one.
      this.store.db.prepare("DELETE FROM exports WHERE iteration_id = ? AND platform = ? AND flavor IS ? AND status = 'Failed'").run(iteration.id, platform, flavor);
      this.store.db
        .prepare('INSERT INTO exports (id, iteration_id, platform, flavor, status, token, error, created, last_modified) VALUES (@id, @iteration_id, @platform, @flavor, @status, @token, @error, @created, @last_modified)')
        .run(row);
    })();
    void this.run(row, iteration);
    return toExport(row, downloadBase);
  }

  private async run(row: ExportRow, iteration: IterationRow): Promise<void> {
    const started = Date.now();
    const target = this.fileOf(row.token);
    const partial = `${target}.tmp`;
    try {
      const head = predictingModel(this.store, iteration);
      const source: ExportSource = {
        platform: row.platform,
        flavor: row.flavor,
        projectId: iteration.project_id,
        iterationId: iteration.id,
        domainType: 'Classification',
        head,
        tags: snapshotTags(this.store, iteration.id),
      };
      const bytes = await this.build(source, partial);
      renameSync(partial, target);
      this.setStatus(row.id, 'Done', null);
      this.log(`${now()} export ${row.platform}${row.flavor ? `/${row.flavor}` : ''} of iteration ${iteration.id} Done in ${Date.now() - started} ms (${bytes} bytes)`);
    } catch (error) {
      rmSync(partial, { force: true });
      const reason = error instanceof Error ? error.message : String(error);
      this.setStatus(row.id, 'Failed', reason);
      this.log(`${now()} export ${row.platform} of iteration ${iteration.id} Failed: ${reason}`);
    }
  }

  private setStatus(id: string, status: ExportStatus, error: string | null): void {
    this.store.db.prepare('UPDATE exports SET status = ?, error = ?, last_modified = ? WHERE id = ?').run(status, error, now(), id);
  }

  /** The zip behind a download token, or NotFound. */
  download(token: string): { file: string; name: string } {
    const row = this.store.db.prepare<[string], ExportRow>("SELECT * FROM exports WHERE token = ? AND status = 'Done'").get(token);
    const file = row && this.fileOf(row.token);
    if (!row || !file || !existsSync(file)) throw notFound('NotFound', 'No export at this address.');
    return { file, name: packageFileName(row.iteration_id, row.platform, row.flavor) };
  }

  /**
   * At startup, before any build: removes packages cut short by a stop (their .tmp files) and
   * package files whose export rows are gone (deleted iterations or projects).
   */
  sweep(): void {
    const tokens = new Set(this.store.db.prepare<[], { token: string }>('SELECT token FROM exports').all().map((r) => r.token));
    for (const name of readdirSync(this.folder)) {
      if (name.endsWith('.tmp') || !tokens.has(name.replace(/\.zip$/, ''))) rmSync(path.join(this.folder, name), { force: true });
    }
  }
}
