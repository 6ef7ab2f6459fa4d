// Issue 21.8: the writes Adobe takes no If-Match on (a Schema Registry PATCH of a schema or field
// group, a descriptor PUT, a mapping-set PUT) survive one transient failure like every other
// idempotent write: a PUT of a whole resource is sent again; a PATCH that must not apply twice (an
// `add` to `/allOf/-`) and a mapping-set PUT (each one stores a new version) are sent again only
// after a re-read shows they did not take effect. Through the binary, against the emulator.
import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, MATRIX_FAULTS } from '../helpers/emulator.js';

const SR = '/data/foundation/schemaregistry/tenant';
const MAPPING_SETS = '/data/foundation/conversion/mappingSets/';
const AUDIT = 'https://ns.adobe.com/xdm/common/external-source-system-audit-details';

async function world(t: import('node:test').TestContext) {
  const emu = await emulator();
  const home = await tempHome();
  t.after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = cliEnv(emu.env, home);
  const cli = (args: string[]) => spawnCli([...args, '--json'], env);
  const full = JSON.parse(await readFile(new URL('../../templates/contacts.json', import.meta.url), 'utf8'));
  delete full.$schema;
  const file = join(home, 'contacts.json');
  const save = (template: unknown) => writeFile(file, JSON.stringify(template));
  assert.equal((await cli(['connect'])).exitCode, 0);
  return { emu, cli, full, file, save };
}

test('a 503 on the field-group PATCH, and answers lost after the schema PATCH and the mapping-set PUT: one run converges, each change applied once', async (t) => {
  const { emu, cli, full, file, save } = await world(t);
  // First without the Department field and the audit field group; then the whole template.
  const first = structuredClone(full);
  first.mappings = first.mappings.filter(
    (m: { source: string; destination: string }) =>
      m.source !== 'Department' && !m.destination.startsWith('extSourceSystemAudit.'),
  );
  first.target.schema.fieldGroups = first.target.schema.fieldGroups.filter((id: string) => id !== AUDIT);
  await save(first);
  const made = await cli(['dataflow', 'create', '--template', file]);
  assert.equal(made.exitCode, 0, made.stdout + made.stderr);
  const [mappingSet] = emu.state.mappingSets.all();
  const version = mappingSet.version as number;

  await save(full);
  emu.faults.add({ method: 'PATCH', path: `${SR}/fieldgroups/`, fault: MATRIX_FAULTS['503'], label: 'fieldgroup 503' });
  emu.faults.add({ method: 'PATCH', path: `${SR}/schemas/`, fault: MATRIX_FAULTS.drop, label: 'schema drop' });
  emu.faults.add({ method: 'PUT', path: MAPPING_SETS, fault: MATRIX_FAULTS.drop, label: 'mapping set drop' });
  const mark = emu.exchanges.length;
  const r = await cli(['dataflow', 'create', '--template', file]);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.deepEqual(emu.faults.fired.map((f) => f.label).sort(), ['fieldgroup 503', 'mapping set drop', 'schema drop']);
  assert.deepEqual(r.json().updated.sort(), ['fieldGroup', 'flow', 'mappingSet', 'schema'], r.stdout);

  const [schema] = emu.state.schemas.all();
  assert.equal(schema.allOf.filter((ref: { $ref: string }) => ref.$ref === AUDIT).length, 1, 'the field group once');
  const [fieldGroup] = emu.state.fieldGroups.all();
  assert.match(JSON.stringify(fieldGroup), /"department"/);
  assert.equal(emu.state.mappingSets.all()[0].version, version + 1, 'one new mapping-set version');
  const sent = (method: string, prefix: string) =>
    emu.exchanges.slice(mark).filter((e) => e.method === method && e.path.startsWith(prefix)).length;
  assert.equal(sent('PATCH', `${SR}/fieldgroups/`), 2, 'the refused PATCH sent again');
  assert.equal(sent('PATCH', `${SR}/schemas/`), 1, 'the applied PATCH not sent again');
  assert.equal(sent('PUT', MAPPING_SETS), 1, 'the applied PUT not sent again');
  // The flow reads the version the PUT made.
  const [flow] = emu.state.flows.all();
  const mapping = flow.transformations.find((x: { name: string }) => x.name === 'Mapping');
  assert.equal(Number(mapping.params.mappingVersion), version + 1);

  const next = await cli(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code']);
  assert.equal(next.exitCode, 0, `nothing left to change: ${next.stdout}`);
});

test('a 503 on the descriptor PUT: sent again, exit 0', async (t) => {
  const { emu, cli, full, file, save } = await world(t);
  await save(full);
  assert.equal((await cli(['dataflow', 'create', '--template', file])).exitCode, 0);
  const changed = structuredClone(full);
  changed.identity.namespace = 'Phone'; // the primary identity stays where it is: Adobe takes this PUT
  await save(changed);
  emu.faults.add({ method: 'PUT', path: `${SR}/descriptors/`, fault: MATRIX_FAULTS['503'], label: 'descriptor 503' });
  const r = await cli(['dataflow', 'create', '--template', file]);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.equal(emu.faults.fired.length, 1);
  const identities = emu.state.descriptors.all().filter((d) => d['@type'] === 'xdm:descriptorIdentity');
  assert.equal(identities.length, 1);
  assert.equal(identities[0]['xdm:namespace'], 'Phone');
});

test('a mapping-set PUT answered without its new version: exit 1 naming it, the flow left on the version it runs; the next run converges', async (t) => {
  const { emu, cli, full, file, save } = await world(t);
  const first = structuredClone(full);
  first.mappings = first.mappings.filter((m: { source: string }) => m.source !== 'Department');
  await save(first);
  assert.equal((await cli(['dataflow', 'create', '--template', file])).exitCode, 0);
  const runs = () =>
    Number(
      emu.state.flows.all()[0].transformations.find((x: { name: string }) => x.name === 'Mapping').params
        .mappingVersion,
    );
  const before = runs();

  await save(full);
  // Something in between answers 200 with a body that carries no version.
  emu.faults.add({
    method: 'PUT',
    path: MAPPING_SETS,
    fault: { kind: 'answer', status: 200, contentType: 'application/json', body: '{}' },
  });
  const r = await cli(['dataflow', 'create', '--template', file]);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.match(
    r.json().error.message,
    /answered the update of mapping set \w+ without its new version; the dataflow still uses the old one/,
  );
  assert.equal(runs(), before, 'the flow was not moved to a version nobody named');

  const again = await cli(['dataflow', 'create', '--template', file]);
  assert.equal(again.exitCode, 0, again.stdout + again.stderr);
  assert.equal(runs(), emu.state.mappingSets.all()[0].version);
  assert.ok(runs() > before);
});
