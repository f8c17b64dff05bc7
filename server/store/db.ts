/** @module Opens the service's SQLite database (WAL), brings its schema up to date and keeps its statements prepared. */
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  cacheStatements(db);
  return db;
}

/** Distinct SQL texts kept prepared; the code has a few dozen, plus variants of the image filters. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Makes db.prepare reuse statements by SQL text: preparing costs more than running most of our
 * queries (a prediction request looks up its project and iteration on every call). No caller
 * changes a statement's mode (pluck, raw, expand), so a shared statement behaves like a new one.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql); // re-inserted below: most recently used last
    } else {
      statement = prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  }) as Db['prepare'];
}
