// Schema Registry lists page by `_page.next` (issue 22.1): in a sandbox with more than 300 other
// schemas and field groups, ours are on a later page. A machine without the state file finds them
// by title there, so `dataflow create` converges without a replace and `destroy --template` removes
// them. https://github.com/AdobeDocs/experience-platform.en/blob/main/help/xdm/api/appendix.md#paging
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { call, emulator, platformHeaders, TEST_ORG } from '../helpers/emulator.js';

const SR = '/data/foundation/schemaregistry';
const PROFILE = 'https://ns.adobe.com/xdm/context/profile';
const OTHERS = 310;

test(`with ${OTHERS} other schemas and field groups, a fresh home finds ours on the second page: create converges without a replace, destroy --template removes them`, async (t) => {
  const emu = await emulator();
  const homes = [await tempHome(), await tempHome(), await tempHome()];
  t.after(async () => {
    await emu.close();
    for (const home of homes) await rm(home, { recursive: true, force: true });
  });
  // Other teams' schemas and field groups, titled to sort before ours ('Zoho CRM …').
  const h = await platformHeaders(emu);
  const tenant = `_${emu.state.tenantId(TEST_ORG)}`;
  for (let i = 0; i < OTHERS; i++) {
    const n = String(i).padStart(3, '0');
    const fg = await call(
      emu,
      'POST',
      `${SR}/tenant/fieldgroups`,
      {
        type: 'object',
        title: `Other field group ${n}`,
        description: 'Another team',
        'meta:intendedToExtend': [PROFILE],
        definitions: {
          other: { properties: { [tenant]: { type: 'object', properties: { [`f${n}`]: { type: 'string' } } } } },
        },
      },
      h,
    );
    assert.equal(fg.status, 201, JSON.stringify(fg.body));
    const schema = await call(
      emu,
      'POST',
      `${SR}/tenant/schemas`,
      { type: 'object', title: `Other schema ${n}`, description: 'Another team', allOf: [{ $ref: PROFILE }] },
      h,
    );
    assert.equal(schema.status, 201, JSON.stringify(schema.body));
  }
  const cli = async (home: string, args: string[]) => {
    const r = await spawnCli([...args, '--json'], cliEnv(emu.env, home));
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.json();
  };
  await cli(homes[0], ['connect']);
  // One template: one dataflow's fields at the top (several: a `dataflows` list).
  const made = await cli(homes[0], ['dataflow', 'create', '--template', 'accounts']);
  assert.ok(made.created.includes('schema'));

  // Another machine: no state file. Everything is found, nothing made or replaced.
  const mark = emu.exchanges.length;
  const again = await cli(homes[1], ['dataflow', 'create', '--template', 'accounts']);
  assert.deepEqual(again.created, []);
  assert.deepEqual(again.replaced ?? [], []);
  assert.equal(again.flowId, made.flowId);
  assert.equal(again.datasetId, made.datasetId);
  assert.equal(again.schemaId, made.schemaId);
  const lists = emu.exchanges
    .slice(mark)
    .filter((e) => e.method === 'GET' && /\/tenant\/(schemas|fieldgroups)$/.test(e.path));
  assert.ok(
    lists.some((e) => e.query.start !== undefined),
    `paged on with start: ${lists.map((e) => JSON.stringify(e.query)).join(' ')}`,
  );

  // A third machine destroys the template's resources: ours go, the others stay.
  await cli(homes[2], ['destroy', '--template', 'accounts', '--yes']);
  const titles = (kind: 'schemas' | 'fieldGroups') => emu.state[kind].all().map((r: any) => r.title as string);
  assert.deepEqual(
    titles('schemas').filter((title) => title.startsWith('Zoho')),
    [],
  );
  assert.deepEqual(
    titles('fieldGroups').filter((title) => title.startsWith('Zoho')),
    [],
  );
  assert.equal(titles('schemas').length, OTHERS);
  assert.equal(emu.state.flows.all().length, 0);
  assert.equal(emu.state.dataSets.all().length, 0);
});
