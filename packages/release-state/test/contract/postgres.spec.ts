// The store contract on PostgreSQL: a real throwaway server (test/support/pg-server.ts), one
// fresh schema per test. The damage hooks change rows behind the store's back, as a person with
// psql would.
import type { DeliveryKeyInput } from '../../src/shared/contract';
import { deliveryKey } from '../../src/shared/input';
import { openReleaseStore } from '../../src/open';
import { describeWithPg } from '../support/pg-server';
import { usePostgres } from '../support/use-postgres';
import { describeStoreContract } from './suite';

describeWithPg('PostgreSQL', () => {
  const pg = usePostgres();
  let serial = 0;

  describeStoreContract('postgres', async () => {
    const schema = `contract_${process.pid}_${++serial}`;
    const url = pg.server.url({ schema });
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
          await pg.admin.query(`UPDATE "${schema}".deliveries SET delivery_id = E'bad\\x01id' WHERE key = $1`, [keyOf(input)]);
        },
        async backdate(input, ageMs) {
          await pg.admin.query(
            `UPDATE "${schema}".deliveries SET recorded_at = recorded_at - $2 * interval '1 millisecond', completed_at = completed_at - $2 * interval '1 millisecond' WHERE key = $1`,
            [keyOf(input), ageMs],
          );
        },
      },
      async cleanup() {
        await store.close();
        await pg.admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      },
    };
  });
});
