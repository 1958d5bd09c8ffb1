/**
 * The queueing objects (ResourceFlavor, Queue, Cohort, PriorityClass) the
 * scheduler keeps: loaded from SQLite at start, applied (create or update) in
 * one transaction, listed by kind. Validation is the caller's (service/objects.ts).
 */
import { withProtoDefaults } from '../../../shared/src/proto/defaults.js';
import type { QueueingKind, QueueingObject } from '../../../shared/src/queues/document.js';
import type { SqliteDb } from './db.js';

/** FULL_NAMES are the proto messages of each kind. */
const FULL_NAMES: Record<QueueingKind, string> = {
  ResourceFlavor: 'muster.v1.ResourceFlavor',
  Queue: 'muster.v1.Queue',
  Cohort: 'muster.v1.Cohort',
  PriorityClass: 'muster.v1.PriorityClass',
};

/** ObjectOf is the message type of a kind. */
export type ObjectOf<K extends QueueingKind> = Extract<QueueingObject, { kind: K }>['object'];

/** ApplyAction says what applying one object did. */
export type ApplyAction = 'created' | 'updated' | 'unchanged';

function keyOf(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** ObjectStore holds the queueing objects in memory, backed by the `objects` table. */
export class ObjectStore {
  private readonly objects = new Map<string, QueueingObject>();
  private readonly upsert;

  constructor(private readonly db: SqliteDb) {
    this.upsert = db.prepare('INSERT INTO objects (kind, name, doc) VALUES (@kind, @name, @doc) ON CONFLICT(kind, name) DO UPDATE SET doc = @doc');
  }

  /** load reads every stored object (documents of an older version get the defaults of fields added since). */
  load(): number {
    for (const row of this.db.prepare('SELECT kind, name, doc FROM objects ORDER BY kind, name').all() as { kind: QueueingKind; name: string; doc: string }[]) {
      const object = withProtoDefaults(FULL_NAMES[row.kind], JSON.parse(row.doc) as object);
      this.objects.set(keyOf(row.kind, row.name), { kind: row.kind, object } as QueueingObject);
    }
    return this.objects.size;
  }

  /** all lists every object, by kind then name. */
  all(): QueueingObject[] {
    return [...this.objects.values()].sort((a, b) => (a.kind === b.kind ? a.object.metadata!.name.localeCompare(b.object.metadata!.name) : a.kind.localeCompare(b.kind)));
  }

  /** list lists the objects of one kind, by name. */
  list<K extends QueueingKind>(kind: K): ObjectOf<K>[] {
    return this.all()
      .filter((o) => o.kind === kind)
      .map((o) => o.object as ObjectOf<K>);
  }

  /**
   * apply creates or updates objects in one transaction (created and updated
   * times set here) and says what happened to each. An object equal to the
   * stored one is left alone ("unchanged").
   */
  apply(objects: readonly QueueingObject[], now: number): { kind: QueueingKind; name: string; action: ApplyAction }[] {
    const out: { kind: QueueingKind; name: string; action: ApplyAction }[] = [];
    const writes: QueueingObject[] = [];
    for (const o of objects) {
      const name = o.object.metadata!.name;
      const prev = this.objects.get(keyOf(o.kind, name));
      const same = prev && JSON.stringify(prev.object.spec) === JSON.stringify(o.object.spec) && JSON.stringify(prev.object.metadata!.labels) === JSON.stringify(o.object.metadata!.labels);
      if (same) {
        out.push({ kind: o.kind, name, action: 'unchanged' });
        continue;
      }
      const created = prev?.object.metadata!.createdMs || now;
      const next = { kind: o.kind, object: { ...o.object, metadata: { ...o.object.metadata!, createdMs: created, updatedMs: now } } } as QueueingObject;
      writes.push(next);
      out.push({ kind: o.kind, name, action: prev ? 'updated' : 'created' });
    }
    this.db.transaction(() => {
      for (const w of writes) this.upsert.run({ kind: w.kind, name: w.object.metadata!.name, doc: JSON.stringify(w.object) });
    })();
    for (const w of writes) this.objects.set(keyOf(w.kind, w.object.metadata!.name), w);
    return out;
  }
}
