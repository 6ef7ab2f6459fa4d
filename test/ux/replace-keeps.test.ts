// A replace says what happens to the old resource (issue 24.7): "-/+ replace dataset" alone reads as
// data loss, while the old dataset and its data are kept (renamed aside). Human plan and --json reason.
import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { binaryWorld } from '../helpers/world.js';

test('a replaced dataset: the plan says the old dataset and its data are kept, and they are', async (t) => {
  const { emu, home, run } = await binaryWorld(t);
  await run(['connect']);
  const file = join(home, 'contacts.json');
  await writeFile(file, (await run(['templates', 'show', 'contacts'])).stdout);
  const [old] = (await run(['dataflow', 'create', '--template', file, '--json'])).json().dataflows;

  // Dropping a field group forces a new schema (Adobe allows only additive changes), so a new dataset.
  const template = JSON.parse(await readFile(file, 'utf8'));
  template.target.schema.fieldGroups = template.target.schema.fieldGroups.filter((g: string) => !/audit/.test(g));
  template.mappings = template.mappings.filter((m: any) => !m.destination.startsWith('extSourceSystemAudit'));
  await writeFile(file, JSON.stringify(template));

  const human = await run(['dataflow', 'create', '--template', file, '--dry-run']);
  assert.match(
    human.stdout,
    /-\/\+ replace dataset .*\n +forces replacement: .*; the old dataset and its data are kept, renamed '/,
  );
  const plan = (await run(['dataflow', 'create', '--template', file, '--dry-run', '--json'])).json().plan;
  const dataset = plan.find((s: any) => s.resource === 'dataset');
  assert.equal(dataset.action, 'replace');
  assert.match(dataset.reason, /the old dataset and its data are kept, renamed '.* \(replaced [^)]+\)'/);
  assert.match(plan.find((s: any) => s.resource === 'schema').reason, /the old schema is kept, renamed/);

  // And it is so: the old dataset is still there, under the name the plan gave.
  const [made] = (await run(['dataflow', 'create', '--template', file, '--yes', '--json'])).json().dataflows;
  assert.notEqual(made.datasetId, old.datasetId);
  const kept = emu.state.dataSets.get(old.datasetId);
  assert.ok(kept, 'the old dataset is kept');
  // The name the plan gave, up to the minute the rename happened (the run may be a minute later).
  const planned = /renamed '(.+) \(replaced [^)]+\)'/.exec(dataset.reason)![1];
  assert.match(kept.name, new RegExp(`^${planned.replace(/[()]/g, '\\$&')} \\(replaced \\d{4}-[^)]+\\)$`));
});
