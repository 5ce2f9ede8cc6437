// Stores as an earlier version of the library left them, made from a store of this version by
// undoing its later migrations (src/postgres/schema.ts), for the specs that open such a store.
import type { Pool } from 'pg';

/** Undoes migration 3 (release_state keyed by repository): one row, id = 1, the store's own state. */
export async function backToVersion2(admin: Pool, schema: string): Promise<void> {
  const t = `"${schema}".release_state`;
  for (const statement of [
    `DELETE FROM ${t} WHERE repo <> ''`,
    `ALTER TABLE ${t} DROP CONSTRAINT release_state_pkey, DROP CONSTRAINT release_state_repo`,
    `ALTER TABLE ${t} ADD COLUMN id smallint CHECK (id = 1)`,
    `UPDATE ${t} SET id = 1`,
    `ALTER TABLE ${t} DROP COLUMN repo`,
    `ALTER TABLE ${t} ADD PRIMARY KEY (id)`,
    `ALTER TABLE "${schema}".release_state_damaged DROP COLUMN repo`,
    `DELETE FROM "${schema}".schema_migrations WHERE version = 3`,
  ]) {
    await admin.query(statement);
  }
}
