// The store's tables, shipped with the library as numbered migrations. Opening applies the
// missing ones in ONE transaction under a transaction-scoped advisory lock: many workers starting
// at once apply each migration once, and the lock ends with the transaction (a session-level
// advisory lock would leak behind a transaction-pooling PgBouncer). A database migrated by a
// newer library is refused rather than written in a format this one does not know.
import { stateError } from '../shared/errors';
import { serializeReleaseState, skeletonState } from '../shared/release-state';
import type { PgClient, PgConnection } from './driver';
import { ROW_COLUMNS } from './records';
import { repositoryStateMigration } from './release-rows';
import type { Attempt } from './session';
import { urlSetting } from './url';

/** Quoted table names of one store (schema-qualified). */
export interface Tables {
  schema: string;
  migrations: string;
  release: string;
  releaseDamaged: string;
  deliveries: string;
  deliveriesDamaged: string;
}

export function tablesOf(schema: string): Tables {
  const q = (name: string) => `"${schema}"."${name}"`;
  return {
    schema,
    migrations: q('schema_migrations'),
    release: q('release_state'),
    releaseDamaged: q('release_state_damaged'),
    deliveries: q('deliveries'),
    deliveriesDamaged: q('deliveries_damaged'),
  };
}

/** Migration N is MIGRATIONS[N - 1]; append only, never edit a shipped one. */
const MIGRATIONS: ReadonlyArray<(t: Tables) => string[]> = [
  (t) => [
    // release.json as its bytes: the same parser and serializer as the file store, unknown fields kept.
    `CREATE TABLE ${t.release} (id smallint PRIMARY KEY CHECK (id = 1), body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${t.releaseDamaged} (id bigserial PRIMARY KEY, body text NOT NULL, kept_at timestamptz NOT NULL DEFAULT now())`,
    `CREATE TABLE ${t.deliveries} (
       key text PRIMARY KEY,
       delivery_id text NOT NULL,
       recorded_at timestamptz,
       attempt integer NOT NULL DEFAULT 1,
       lease_expires_at timestamptz,
       completed_at timestamptz,
       outcome text,
       claim_token uuid
     )`,
    `CREATE INDEX ON ${t.deliveries} (recorded_at)`,
    `CREATE TABLE ${t.deliveriesDamaged} (LIKE ${t.deliveries}, kept_at timestamptz NOT NULL DEFAULT now())`,
    `INSERT INTO ${t.release} (id, body) VALUES (1, ${literal(serializeReleaseState(skeletonState(), 'release_state').toString('utf8'))})`,
  ],
  // One key rule (shared/input.ts keyIdentity): owner and name without case, so a key's identity
  // is lower(key), unique; claims conflict on it and look-ups use it. The version before let
  // two spellings of one key each win: of such rows the one `keptFirst` orders first stays (the
  // same order, in SQL), and the others move to deliveries_damaged (kept, never deleted). And the
  // age of a claim, indexed for the prune pass, which now runs beside claims.
  (t) => [
    `WITH ranked AS (
       SELECT key, row_number() OVER (
         PARTITION BY lower(key)
         ORDER BY (completed_at IS NULL AND lease_expires_at IS NOT NULL), recorded_at NULLS FIRST, key COLLATE "C"
       ) AS place
       FROM ${t.deliveries}
     ), moved AS (
       DELETE FROM ${t.deliveries} AS d USING ranked WHERE d.key = ranked.key AND ranked.place > 1
       RETURNING ${ROW_COLUMNS.split(', ')
         .map((column) => `d.${column}`)
         .join(', ')}
     )
     INSERT INTO ${t.deliveriesDamaged} (${ROW_COLUMNS}) SELECT ${ROW_COLUMNS} FROM moved`,
    `CREATE UNIQUE INDEX deliveries_key_identity ON ${t.deliveries} (lower(key))`,
    // A claim's age (shared/retention.ts): a prune pass reads only the rows past the retention.
    `CREATE INDEX deliveries_age ON ${t.deliveries} (greatest(recorded_at, completed_at))`,
  ],
  // Migration 3: release_state keyed by repository (release-rows.ts: the store's own state stays
  // the row repo = '', each repository of an App that serves several gets a row of its own).
  repositoryStateMigration,
];

/** The schema version this library writes. */
const SCHEMA_VERSION = MIGRATIONS.length;

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The schema version of the store in `tables`, or null when it has no store tables. */
async function versionOf(client: PgClient, tables: Tables): Promise<number | null> {
  // One round trip in the common case; outside a transaction, so a failed statement spoils nothing.
  try {
    const found = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${tables.migrations}`,
    );
    return found.rows[0]?.version ?? null;
  } catch (error) {
    // 42P01: no such table; 3F000: no such schema.
    const code = (error as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') return null;
    throw error;
  }
}

/**
 * For opening without creating (inspection, repair, a copy's source): the store must be there,
 * at this library's schema version; nothing is created or migrated. A schema that is not there
 * is most often a slip in the URL (`?schema=` or the database), so it is the caller's input.
 */
export async function assertStoreExists({ client }: Attempt, tables: Tables, target: PgConnection): Promise<void> {
  const current = await versionOf(client, tables);
  if (current === SCHEMA_VERSION) return;
  if (current !== null && current > SCHEMA_VERSION) throw newerSchema(target.location, tables, current);
  const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tables.schema]);
  const what =
    schema.rowCount === 0
      ? `there is no schema ${tables.schema} in the database ${target.database}`
      : `the schema ${tables.schema} holds no booty store`;
  if (current === null) {
    throw stateError('STATE_INVALID_INPUT', {
      path: `${target.location} schema ${tables.schema}`,
      reason: 'missing',
      happened: `There is no store at ${target.location}: ${what}, so nothing has been recorded there`,
      changed: 'Nothing was created or changed',
      fix:
        `Check schema= and the database in ${urlSetting(target.source)} (\`booty governor status\` shows the store in use); ` +
        'a store is created by an enabled Governor (`booty governor status`) or as the target of `booty state copy`',
      details: { field: 'schema' },
    });
  }
  throw stateError('STATE_CORRUPT', {
    path: `${target.location} ${tables.migrations}`,
    reason: 'schema-older',
    happened:
      `The store at ${target.location} (schema ${tables.schema}) has schema version ${current}; ` +
      `this booty reads version ${SCHEMA_VERSION}`,
    changed: 'Nothing was changed',
    fix: 'Run `booty governor status` with this booty (an enabled Governor migrates its store), then retry',
  });
}

/** Brings the schema up to SCHEMA_VERSION (or refuses a newer one). Returns the migrations applied. */
export async function migrate(attempt: Attempt, tables: Tables, target: PgConnection): Promise<number> {
  const { client } = attempt;
  const location = target.location;
  // Fast path, no lock: an up-to-date schema is the common case at every start.
  const current = await versionOf(client, tables).catch(() => null);
  if (current !== null && current > SCHEMA_VERSION) throw newerSchema(location, tables, current);
  if (current === SCHEMA_VERSION) return 0;
  await attempt.begin();
  try {
    const applied = await migrateLocked(client, tables, location);
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Inside the caller's transaction: takes the schema's migration lock and applies what is missing
 * (a copy into a new store runs this in the transaction that writes the copy: all or nothing).
 */
export async function migrateLocked(client: PgClient, tables: Tables, location: string): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`booty-release-state:${tables.schema}`]);
  // Not CREATE SCHEMA IF NOT EXISTS: after waiting for the lock, this server connection's
  // catalog cache can still miss a schema that the lock's previous holder created (an advisory
  // lock does not refresh it), and IF NOT EXISTS then fails on a duplicate key. A query of
  // pg_namespace reads every commit made before it.
  const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tables.schema]);
  if (schema.rowCount === 0) await client.query(`CREATE SCHEMA "${tables.schema}"`);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${tables.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const result = await client.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${tables.migrations}`,
  );
  const version = result.rows[0]?.version ?? 0;
  if (version > SCHEMA_VERSION) throw newerSchema(location, tables, version);
  for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
    for (const statement of (MIGRATIONS[next - 1] as (t: Tables) => string[])(tables)) await client.query(statement);
    await client.query(`INSERT INTO ${tables.migrations} (version) VALUES ($1)`, [next]);
  }
  return SCHEMA_VERSION - version;
}

function newerSchema(location: string, tables: Tables, version: number) {
  return stateError('STATE_CORRUPT', {
    path: `${location} ${tables.migrations}`,
    reason: 'schema-newer',
    happened:
      `The store at ${location} (schema ${tables.schema}) has schema version ${version}, ` +
      `written by a newer @booty/release-state; this one knows up to ${SCHEMA_VERSION}`,
    changed: 'Nothing was changed',
    fix: 'Upgrade booty (@booty/release-state) on this host to the version the other hosts run',
  });
}
