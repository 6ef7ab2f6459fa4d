// A dropped mapping is said once, in the plan that drops it (issue 24.10): the field stays in the
// field group (Adobe takes additive changes only), and later runs no longer warn about it.
import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';

test('the field a dropped mapping wrote: warned by the dry run and the run that drop it, never after', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv(emu.env, home, { NO_COLOR: '1' });
  const run = async (args: string[]) => {
    const r = await spawnCli(args, env);
    assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r;
  };
  await run(['connect']);
  const file = join(home, 'accounts.json');
  await writeFile(file, (await run(['templates', 'show', 'accounts'])).stdout);
  await run(['dataflow', 'create', '--template', file]);

  const template = JSON.parse(await readFile(file, 'utf8'));
  const at = template.mappings.findIndex((m: any) => m.destination === '_{TENANT_ID}.zoho.accounts.rating');
  assert.ok(at >= 0, 'accounts maps rating under the tenant');
  template.mappings.splice(at, 1);
  await writeFile(file, JSON.stringify(template));
  const warning = /warning: accounts: field _\w+\.zoho\.accounts\.rating stays in the field group/g;

  const dry = await run(['dataflow', 'create', '--template', file, '--dry-run']);
  assert.equal(dry.stderr.match(warning)?.length, 1, dry.stderr);
  const applied = await run(['dataflow', 'create', '--template', file]);
  assert.equal(applied.stderr.match(warning)?.length, 1, applied.stderr);
  for (const args of [
    ['dataflow', 'create', '--template', file],
    ['dataflow', 'create', '--template', file, '--dry-run'],
  ]) {
    const later = await run(args);
    assert.doesNotMatch(later.stderr, warning, `${args.join(' ')} warns again`);
  }
});
