// A dry run shows the mapped preview records only where the plan creates or changes a mapping set
// (or with --preview): a CI drift check where nothing changed is the plan alone (issue 24.2).
import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawnCli } from '../helpers/cli.js';
import { binaryWorld } from '../helpers/world.js';

const previews = (stdout: string) =>
  [...stdout.matchAll(/^(\S+): the first \d+ preview row\(s\) as XDM records$/gm)].map((m) => m[1]);

test('dry run previews: only templates whose mapping set is created or changed, all with --preview', async (t) => {
  const { home, env, run } = await binaryWorld(t, {});
  await run(['connect']);
  const four = 'accounts,contacts,leads,deals';
  // Nothing exists yet: every mapping set is created, so every template shows its preview.
  assert.deepEqual(
    previews((await run(['dataflow', 'create', '--template', four, '--dry-run'])).stdout),
    four.split(','),
  );
  await run(['dataflow', 'create', '--template', four]);

  // The drift check where nothing changed: the plan, and no preview record.
  const drift = await run(['dataflow', 'create', '--template', four, '--dry-run', '--exit-code']);
  assert.deepEqual(previews(drift.stdout), []);
  assert.doesNotMatch(drift.stdout, /"_id"|^\s+\{$/m, 'no record printed');
  assert.match(drift.stdout, /No changes: everything matches/);
  assert.ok(drift.stdout.split('\n').length < 60, `${drift.stdout.split('\n').length} lines`);
  assert.match(drift.stderr, /--preview shows them/);

  // --preview asks for all of them.
  assert.deepEqual(
    previews((await run(['dataflow', 'create', '--template', four, '--dry-run', '--preview'])).stdout),
    four.split(','),
  );

  // One template's mapping changes: only its preview.
  const template = JSON.parse((await run(['templates', 'show', 'deals'])).stdout);
  template.mappings = template.mappings.slice(0, -1);
  const file = join(home, 'deals.json');
  await writeFile(file, JSON.stringify(template));
  const changed = await run(['dataflow', 'create', '--template', `accounts,${file}`, '--dry-run', '--exit-code'], 3);
  assert.deepEqual(previews(changed.stdout), ['deals']);

  // --preview is a dry-run option.
  const refused = await spawnCli(['dataflow', 'create', '--template', 'accounts', '--preview'], env);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, /--preview needs --dry-run/);
});
