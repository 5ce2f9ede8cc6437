// The contract suite's harness on PostgreSQL (test/contract/suite.ts): one fresh schema per test,
// opened through `urlOf(schema)` (the server itself, or a PgBouncer in front of it). The damage
// hooks change rows behind the store's back, as a person with psql would, on the server directly.
import type { DeliveryKeyInput } from '../../src/shared/contract';
import { deliveryKey } from '../../src/shared/input';
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
    const keyOf = (input: DeliveryKeyInput) => deliveryKey(input, url);
    return {
      store,
      reopen: open,
      damage: {
        async corruptRelease() {
          await pg.admin.query(`UPDATE "${schema}".release_state SET body = '{"production_sha_current": '`);
        },
        async corruptDelivery(input) {
          const bad = `UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`;
          await pg.admin.query(bad, [keyOf(input)]);
        },
        async backdate(input, ageMs) {
          await pg.admin.query(
            `UPDATE "${schema}".deliveries SET recorded_at = recorded_at - $2 * interval '1 millisecond', ` +
              `completed_at = completed_at - $2 * interval '1 millisecond' WHERE key = $1`,
            [keyOf(input), ageMs],
          );
        },
      },
      async cleanup() {
        await store.close();
        await pg.admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      },
    };
  };
}
