// The Profile update of a schema made in the same run: its PATCH path names the schema by the Ref
// the plan printed (`<new contacts/schema id>`), and apply puts in the id, in the path and in the
// re-read that tells whether a PATCH whose answer was lost took effect (an `add` must not apply twice).
// Through the binary, against the emulator.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, MATRIX_FAULTS } from '../helpers/emulator.js';

const SR = '/data/foundation/schemaregistry/tenant';

test("the answer to a new schema's Profile PATCH is lost: the re-read finds the schema by its id, the PATCH is not sent again", async (t) => {
  const emu = await emulator();
  const home = await tempHome();
  t.after(async () => {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  });
  const env = cliEnv(emu.env, home);
  const cli = (args: string[]) => spawnCli([...args, '--json'], env);
  assert.equal((await cli(['connect'])).exitCode, 0);
  emu.faults.add({ method: 'PATCH', path: `${SR}/schemas/`, fault: MATRIX_FAULTS.drop, label: 'profile drop' });
  const mark = emu.exchanges.length;

  const r = await cli(['dataflow', 'create', '--template', 'contacts']);
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  assert.deepEqual(
    emu.faults.fired.map((f) => f.label),
    ['profile drop'],
  );
  const [schema] = emu.state.schemas.all();
  assert.ok(schema['meta:immutableTags']?.includes('union'), 'the schema is enabled for Profile');
  const mine = emu.exchanges.slice(mark).filter((e) => e.path.startsWith(`${SR}/schemas/`));
  assert.deepEqual(
    mine.filter((e) => e.method === 'PATCH').map((e) => decodeURIComponent(e.path)),
    [`${SR}/schemas/${schema.$id}`],
    'the PATCH sent once, to the new schema',
  );
  assert.ok(
    mine.some((e) => e.method === 'GET' && decodeURIComponent(e.path) === `${SR}/schemas/${schema.$id}`),
    'the re-read GETs the new schema',
  );
  assert.deepEqual(
    mine.filter((e) => e.path.includes('%3C') || e.path.includes('<')).map((e) => e.path),
    [],
    'no request names a Ref',
  );
});
