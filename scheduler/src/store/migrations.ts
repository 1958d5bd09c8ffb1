/**
 * Schema migrations of the scheduler's SQLite store, applied in order at open.
 * Never edit a released migration; append a new one.
 */

/** Migration is one schema step. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** MIGRATIONS are every schema step, ascending by version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'jobsets, nodes, meta',
    sql: `
      CREATE TABLE jobsets (
        name        TEXT PRIMARY KEY,
        uid         TEXT NOT NULL,
        created_ms  INTEGER NOT NULL,
        phase       TEXT NOT NULL,
        doc         TEXT NOT NULL,   -- the JobSet (metadata, spec, status) as proto JSON
        placement   TEXT             -- admitted placement as JSON, NULL while pending
      );
      CREATE INDEX jobsets_phase ON jobsets(phase);
      CREATE TABLE nodes (
        name        TEXT PRIMARY KEY,
        epoch       INTEGER NOT NULL,
        revision    INTEGER NOT NULL, -- desired-document revision, monotonic
        doc         TEXT NOT NULL     -- registration: address, labels, inventory, times
      );
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'nodes.lingering: pods still stopping on a node survive a scheduler restart',
    sql: `
      ALTER TABLE nodes ADD COLUMN lingering TEXT; -- JSON [[podKey, {requests, gpuIndices, untilRevision}]], NULL = none
    `,
  },
  {
    version: 3,
    description: 'queueing objects: flavors, queues, cohorts, priority classes',
    sql: `
      CREATE TABLE objects (
        kind  TEXT NOT NULL,   -- ResourceFlavor | Queue | Cohort | PriorityClass
        name  TEXT NOT NULL,
        doc   TEXT NOT NULL,   -- the object as proto JSON
        PRIMARY KEY (kind, name)
      );
    `,
  },
  {
    version: 4,
    description: 'admission fair sharing: decayed usage per (queue, user)',
    sql: `
      CREATE TABLE afs_usage (
        queue       TEXT NOT NULL,
        user        TEXT NOT NULL,
        consumed    TEXT NOT NULL,    -- JSON {resource: amount} in AFS units (gpus, cpu cores, memory GiB)
        updated_ms  INTEGER NOT NULL, -- when it was last sampled
        PRIMARY KEY (queue, user)
      );
    `,
  },
];
