// The emulator's services are route tables (Schema Registry, Catalog, dataflows, Zoho's CRM API): each
// row is one method and path, none twice, and the running emulator serves every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulator } from '../helpers/emulator.js';
import { SCHEMA_REGISTRY_ROUTES } from '../../src/emulator/services/schema-registry.js';
import { CATALOG_ROUTES } from '../../src/emulator/services/catalog.js';
import { FLOW_ROUTES } from '../../src/emulator/services/flow-dataflows.js';
import { ZOHO_CRM_ROUTES } from '../../src/emulator/services/zoho-crm-api.js';

const TABLES = { SCHEMA_REGISTRY_ROUTES, CATALOG_ROUTES, FLOW_ROUTES, ZOHO_CRM_ROUTES };

test('every route table row is one method and path, none twice, and the emulator serves each', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  for (const [name, routes] of Object.entries(TABLES)) {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    assert.equal(new Set(keys).size, keys.length, `${name} has a route twice`);
    for (const route of routes) {
      const path = route.path.replace(/:\w+/g, 'x');
      await fetch(`${emu.url}${path}`, { method: route.method });
    }
  }
  assert.deepEqual(emu.unmatched, [], 'a row the emulator does not serve');
});
