/**
 * Opening the scheduler's SQLite file: WAL journal, synchronous=NORMAL
 * (durable across process crashes; a power loss may drop the last commits),
 * foreign keys, and schema migrations from MIGRATIONS in one transaction each.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../../../shared/src/logger.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** SqliteDb is the better-sqlite3 handle type. */
export type SqliteDb = Database.Database;

/** openDatabase opens (creating if needed) and migrates the store at `file`. */
export function openDatabase(file: string, log: Logger, migrations: readonly Migration[] = MIGRATIONS): SqliteDb {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ms INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) {
    db.close();
    throw new Error(`store ${file} has schema version ${newest}, newer than this scheduler knows (${known}); upgrade muster-scheduler`);
  }
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, description, applied_ms) VALUES (?, ?, ?)').run(m.version, m.description, Date.now());
    })();
    log.info('store migrated', { version: m.version, description: m.description });
  }
  return db;
}
