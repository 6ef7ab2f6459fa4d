// destroy finishes (issue 24.4): a mapping set, which Data Prep cannot delete, is said once as kept
// (never "Deleted" and then "kept"), never planned, and `destroy --dry-run --exit-code` after
// `destroy --yes` exits 0. Through the real binary against the emulator.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { spawnCli } from '../helpers/cli.js';
import { binaryWorld } from '../helpers/world.js';

test('destroy --yes, then destroy --dry-run --exit-code exits 0; the mapping set is kept, said once', async (t) => {
  const { emu, env, run } = await binaryWorld(t);
  await run(['connect']);
  // contacts' schema is enabled for Profile, so it (and its mapping set's schema) stays.
  const made = (await run(['dataflow', 'create', '--template', 'accounts,contacts', '--json'])).json().dataflows;
  const mappingSets = made.map((d: any) => d.mappingSetId as string);

  // Before: there is something to delete (exit 3), and no mapping set in the plan.
  const before = await run(['destroy', '--dry-run', '--exit-code'], 3);
  assert.doesNotMatch(before.stdout, /delete +mapping set/);
  for (const id of mappingSets) assert.equal(before.stdout.split(id).length - 1, 1, `mapping set ${id} named once`);

  const mark = emu.exchanges.length;
  const destroyed = await run(['destroy', '--yes']);
  const all = destroyed.stdout + destroyed.stderr;
  assert.doesNotMatch(all, /Deleted mapping set/);
  for (const id of mappingSets) {
    assert.equal(all.split(id).length - 1, 1, `mapping set ${id} said once:\n${all}`);
    assert.match(all, new RegExp(`kept +mapping set .*\\(${id}\\) — Data Prep has no DELETE for mapping sets`));
  }
  assert.ok(!emu.exchanges.slice(mark).some((e) => e.method === 'DELETE' && e.path.includes('/mappingSets/')));

  // Nothing is left that can be deleted: the drift check says so with exit 0, and plans nothing.
  const after = await run(['destroy', '--dry-run', '--exit-code']);
  assert.match(after.stdout, /Nothing to delete in sandbox prod/);
  assert.doesNotMatch(after.stdout, /^ +- delete/m);
  const json = (await run(['destroy', '--dry-run', '--exit-code', '--json'])).json();
  assert.deepEqual(json.plan, []);

  const usage = await spawnCli(['destroy', '--exit-code'], env);
  assert.equal(usage.exitCode, 2);
  assert.match(usage.stderr, /--exit-code needs --dry-run/);
});
