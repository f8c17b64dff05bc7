/**
 * @module The schema's history: each migration upgrades it by one version, recorded in SQLite's
 * user_version, so a data folder written by any earlier release upgrades in place when opened.
 */
import type Database from 'better-sqlite3';

/** Each entry upgrades the schema by one version; append, never edit, once released. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    domain_id TEXT NOT NULL,
    classification_type TEXT NOT NULL,
    target_export_platforms TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL
  );
  CREATE TABLE tags (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT,
    type TEXT NOT NULL,
    created TEXT NOT NULL
  );
  CREATE UNIQUE INDEX tags_by_name ON tags(project_id, name COLLATE NOCASE);
  CREATE TABLE images (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    format TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created TEXT NOT NULL,
    metadata TEXT
  );
  CREATE UNIQUE INDEX images_by_hash ON images(project_id, hash);
  CREATE TABLE image_tags (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    PRIMARY KEY (image_id, tag_id)
  );
  CREATE INDEX image_tags_by_tag ON image_tags(tag_id);
  CREATE TABLE iterations (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    trained_at TEXT,
    domain_id TEXT NOT NULL,
    classification_type TEXT NOT NULL,
    training_type TEXT NOT NULL,
    reserved_budget_in_hours INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0,
    publish_name TEXT,
    publish_resource_id TEXT,
    training_error TEXT,
    training_time_ms INTEGER,
    model TEXT
  );
  CREATE TABLE iteration_tags (
    iteration_id TEXT NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    tag_id TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (iteration_id, position)
  );
  CREATE TABLE iteration_images (
    iteration_id TEXT NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
    image_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created TEXT NOT NULL,
    tag_ids TEXT NOT NULL,
    fold INTEGER,
    held_out TEXT,
    PRIMARY KEY (iteration_id, image_id)
  );
  CREATE TABLE predictions (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    iteration_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created TEXT NOT NULL,
    predictions TEXT NOT NULL
  );
  CREATE INDEX predictions_by_project ON predictions(project_id, created);
  CREATE TABLE features (
    hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (hash, fingerprint)
  );
  `,
  `
  CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    iteration_id TEXT NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
    platform TEXT NOT NULL,
    flavor TEXT,
    status TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    error TEXT,
    created TEXT NOT NULL,
    last_modified TEXT NOT NULL
  );
  CREATE INDEX exports_by_iteration ON exports(iteration_id);
  `,
  // What a training run measured (timings, the chosen penalty, the configuration) for GetArtifact;
  // and ExportProject's snapshots, kept by token hash, not tied to the project so they outlive it.
  `
  ALTER TABLE iterations ADD COLUMN training_details TEXT;
  CREATE TABLE project_transfers (
    token_hash TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL,
    payload TEXT NOT NULL
  );
  `,
  // The Prediction API's `application` parameter, which QueryPredictions filters on.
  `
  ALTER TABLE predictions ADD COLUMN application TEXT;
  `,
  // An iteration's images keep the metadata they had when it trained (earlier iterations take the
  // images' metadata of the upgrade), and DeleteImages with allIterations flags them removed.
  `
  ALTER TABLE iteration_images ADD COLUMN metadata TEXT;
  ALTER TABLE iteration_images ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
  UPDATE iteration_images SET metadata = (SELECT i.metadata FROM images i WHERE i.id = iteration_images.image_id);
  `,
  // The smart labeler's predictions for stored images, computed once per iteration and image bytes.
  `
  CREATE TABLE suggestions (
    iteration_id TEXT NOT NULL REFERENCES iterations(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    created TEXT NOT NULL,
    predictions TEXT NOT NULL,
    PRIMARY KEY (iteration_id, hash)
  ) WITHOUT ROWID;
  `,
  // Resources (a classroom): each project belongs to one, and is seen through it only. Projects made
  // before belong to `default`, the resource of a service started without a resources file.
  `
  ALTER TABLE projects ADD COLUMN resource TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX projects_by_resource ON projects(resource, created);
  `,
];

/** The version a database has once migrated: data-folder fixtures are named after it. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
