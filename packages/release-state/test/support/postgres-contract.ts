// The contract suite's harness on PostgreSQL (test/contract/suite.ts): one fresh schema per test,
// opened through `urlOf(schema)` (the server itself, or a PgBouncer in front of it). The damage
// hooks change rows behind the store's back, as a person with psql would, on the server directly.
import type { DeliveryKeyInput } from '../../src/shared/contract-deliveries';
import { deliveryKey, keyIdentity } from '../../src/shared/input';
import { openReleaseStore } from '../../src/open';
import type { ContractFactory } from '../contract/suite';
import type { PostgresSuite } from './use-postgres';

export function postgresContract(pg: PostgresSuite, urlOf: (schema: string) => string, label: string): ContractFactory {
  let serial = 0;
  return async () => {
    const schema = `contract_${label}_${process.pid}_${++serial}`;
    const url = urlOf(schema);
    const open = () => openReleaseStore({ url });
    const store = await open();
    const keyOf = (input: DeliveryKeyInput) => keyIdentity(deliveryKey(input, url));
    const copies: string[] = [];
    return {
      store,
      reopen: open,
      maxDeliveries: null,
      async copy() {
        const copy = `${schema}_copy_${copies.length + 1}`;
        copies.push(copy);
        await pg.admin.query(`CREATE SCHEMA "${copy}"`);
        const release = ['release_state', 'release_state_damaged'];
        const tables = ['schema_migrations', ...release, 'deliveries', 'deliveries_damaged'];
        for (const table of tables) {
          await pg.admin.query(`CREATE TABLE "${copy}".${table} (LIKE "${schema}".${table} INCLUDING ALL)`);
          await pg.admin.query(`INSERT INTO "${copy}".${table} SELECT * FROM "${schema}".${table}`);
        }
        return openReleaseStore({ url: urlOf(copy) });
      },
      damage: {
        async seed(records) {
          const rows = records.map((r) => ({
            key: r.key,
            delivery_id: r.deliveryId,
            recorded_at: r.recordedAt,
            attempt: r.attempt,
            lease_expires_at: r.leaseExpiresAt,
            completed_at: r.completedAt,
            outcome: r.outcome,
          }));
          await pg.admin.query(
            `INSERT INTO "${schema}".deliveries
               (key, delivery_id, recorded_at, attempt, lease_expires_at, completed_at, outcome)
             SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(key text, delivery_id text, recorded_at timestamptz,
               attempt integer, lease_expires_at timestamptz, completed_at timestamptz, outcome text)`,
            [JSON.stringify(rows)],
          );
        },
        async corruptRelease(repo = '') {
          const damage = `UPDATE "${schema}".release_state SET body = '{"production_sha_current": ' WHERE repo = $1`;
          await pg.admin.query(damage, [repo]);
        },
        async corruptDelivery(input) {
          const bad = `UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE lower(key) = $1`;
          await pg.admin.query(bad, [keyOf(input)]);
        },
        async backdate(input, ageMs) {
          await pg.admin.query(
            `UPDATE "${schema}".deliveries SET recorded_at = recorded_at - $2 * interval '1 millisecond', ` +
              `completed_at = completed_at - $2 * interval '1 millisecond' WHERE lower(key) = $1`,
            [keyOf(input), ageMs],
          );
        },
      },
      async cleanup() {
        await store.close();
        for (const name of [schema, ...copies]) await pg.admin.query(`DROP SCHEMA "${name}" CASCADE`);
      },
    };
  };
}
