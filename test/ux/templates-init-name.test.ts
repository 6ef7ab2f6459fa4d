// templates init never takes a built-in's name silently (issue 24.5): `--table Contacts` is
// 'contacts-custom' (and says so), so following its "Next:" line creates a dataflow of its own
// instead of replacing the built-in contacts one; `--name contacts` is refused, naming the
// collision. Its lookup columns are mapped by their parts, and whatever lands as a string is
// previewed as one.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { BIN, cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';
import { binaryWorld } from '../helpers/world.js';

const exec = promisify(execFile);

test('templates init --table Contacts: not the built-in name; its dataflow replaces nothing of the built-in one', async (t) => {
  const { home, env, run } = await binaryWorld(t);
  await run(['connect']);
  await run(['dataflow', 'create', '--template', 'contacts']);

  // In a folder of the user's, with the default file name.
  const init = await exec(process.execPath, [BIN, 'templates', 'init', '--table', 'Contacts'], {
    cwd: home,
    env: env as NodeJS.ProcessEnv,
  });
  assert.match(init.stdout, /Wrote contacts-custom\.json: template 'contacts-custom' for Contacts/);
  assert.match(init.stdout, /Named 'contacts-custom', not 'contacts': that is a built-in template's name/);
  const file = join(home, 'contacts-custom.json');
  const template = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(template.name, 'contacts-custom');

  // Lookups (Account_Name, Owner, …) are mapped by their parts: nothing "lands as a string".
  const lookups = template.mappings.filter((m: any) => /^(Account_Name|Owner|Reporting_To)\b/.test(m.source));
  assert.deepEqual(
    lookups.map((m: any) => m.source),
    ['Account_Name.id', 'Account_Name.name', 'Reporting_To.id', 'Reporting_To.name', 'Owner.id', 'Owner.name'],
  );

  // Its "Next:" line: the plan creates its own resources and touches none of the built-in's.
  const dry = await run(['dataflow', 'create', '--template', file, '--dry-run', '--json']);
  assert.doesNotMatch(dry.stderr, /lands as an XDM string/);
  const steps = dry.json().plan.filter((s: any) => s.resource !== 'base connection');
  assert.deepEqual(
    steps.filter((s: any) => s.action !== 'create' && !(s.resource === 'schema' && s.action === 'update')),
    [],
  );
  const [record] = dry.json().preview[0].records;
  const zoho = Object.values(record).find((v: any) => v?.zoho) as any;
  assert.equal(typeof zoho.zoho.contacts.owner.id, 'string', JSON.stringify(record));

  // Asked for by name: refused, naming the collision and --name.
  const refused = await spawnCli(
    ['templates', 'init', '--table', 'Contacts', '--name', 'contacts', '--output', join(home, 'x.json')],
    env,
  );
  assert.equal(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /--name 'contacts' is the name of a built-in template/);
  assert.match(refused.stderr, /Pass another --name/);
  const named = await run([
    'templates',
    'init',
    '--table',
    'Contacts',
    '--name',
    'people',
    '--output',
    join(home, 'p.json'),
  ]);
  assert.match(named.stdout, /template 'people'/);
});

test('a whole lookup column mapped on purpose: the warning says it lands as a string, and the preview shows a string', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv(emu.env, home, { NO_COLOR: '1' });
  assert.equal((await spawnCli(['connect'], env)).exitCode, 0);
  const template = JSON.parse((await spawnCli(['templates', 'show', 'accounts'], env)).stdout);
  template.name = 'accounts-owner';
  template.mappings.push({ source: 'Owner', destination: '_{TENANT_ID}.zoho.accounts.ownerWhole' });
  const file = join(home, 'accounts-owner.json');
  await writeFile(file, JSON.stringify(template));
  const dry = await spawnCli(['dataflow', 'create', '--template', file, '--dry-run', '--preview', '--json'], env);
  assert.equal(dry.exitCode, 0, dry.stdout + dry.stderr);
  assert.match(dry.stderr, /column Owner has the type 'object', .* it lands as an XDM string/);
  for (const record of dry.json().preview[0].records) {
    const tenant = Object.values(record).find((v: any) => v?.zoho) as any;
    assert.equal(typeof tenant.zoho.accounts.ownerWhole, 'string', JSON.stringify(record));
  }
});
