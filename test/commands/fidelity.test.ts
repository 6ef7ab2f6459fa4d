// Issue 12's whole run against the strict emulator: the four built-in templates in one run, a dry
// run that plans only reuse, a second run from an empty home that creates nothing, and destroy that
// removes everything but the Profile-enabled schemas (kept, and named). Along the way, the requests
// lean only on what Adobe documents.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

test('four templates, a reuse-only dry run, an empty home that creates nothing, and destroy keeping only Profile schemas', async () => {
  const emu = await emulator();
  try {
    const env = cliEnv(emu.env, await tempHome());
    assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
    const all = 'accounts,contacts,leads,deals';
    const built = await runCli(['dataflow', 'create', '--template', all, '--json'], env);
    assert.equal(built.exitCode, 0, built.stderr);
    const flows = built.json().dataflows;

    const dry = await runCli(['dataflow', 'create', '--template', all, '--dry-run', '--exit-code', '--json'], env);
    assert.equal(dry.exitCode, 0, dry.stderr);
    assert.deepEqual(
      dry.json().plan.filter((s: any) => s.action !== 'reuse'),
      [],
    );

    const before = emu.state.counts();
    const fresh = await runCli(['dataflow', 'create', '--template', all, '--json'], {
      ...env,
      AEP_ZOHO_HOME: await tempHome(),
    });
    assert.equal(fresh.exitCode, 0, fresh.stderr);
    assert.ok(fresh.json().dataflows.every((d: any) => d.created.length === 0));
    assert.deepEqual(emu.state.counts(), before, 'an empty home made nothing new (mapping sets included)');

    // Only what Adobe documents: no name filters on Flow Service or the registry (ruling 15), no
    // orderBy on mapping sets (ruling 14), JSON asked for (the Postman collections and aepp), and a
    // delta column with only its name (ruling 17).
    const gets = emu.exchanges.filter((e) => e.method === 'GET');
    const query = (e: { path: string; query: Record<string, string | string[]> }) =>
      `${e.path}?${Object.entries(e.query)
        .flatMap(([k, v]) => [v].flat().map((x) => `${k}=${x}`))
        .join('&')}`;
    assert.deepEqual(
      gets
        .filter(
          (e) =>
            /\/(flowservice\/(connections|sourceConnections|targetConnections|flows)|schemaregistry\/tenant)/.test(
              e.path,
            ) && /property=name==|property=title==/.test(query(e)),
        )
        .map(query),
      [],
    );
    assert.deepEqual(gets.filter((e) => e.path.endsWith('/mappingSets') && /orderBy/i.test(query(e))).map(query), []);
    assert.ok(
      emu.exchanges
        .filter((e) => e.path.includes('/flowservice/'))
        .every((e) => /application\/json/.test(String(e.headers?.accept))),
    );
    for (const f of flows)
      assert.deepEqual(emu.state.flows.get(f.flowId)!.transformations[0].params.deltaColumn, { name: 'Modified_Time' });
    // The Profile datasets sit on schemas enabled for Profile (ruling 16).
    for (const f of flows.filter((x: any) => ['contacts', 'leads'].includes(x.template)))
      assert.ok(emu.state.schemas.get(f.schemaId)!['meta:immutableTags'].includes('union'));

    const gone = await runCli(['destroy', '--yes', '--json'], env);
    assert.equal(gone.exitCode, 0, gone.stderr);
    const kept = gone.json().kept.filter((k: any) => k.resource === 'schema');
    assert.deepEqual(kept.map((k: any) => k.template).sort(), ['contacts', 'leads']);
    assert.ok(kept.every((k: any) => /enabled for Profile/.test(k.reason) && k.name.includes('aep-zoho default/')));
    const left = emu.state.counts();
    for (const kind of ['connections', 'sourceConnections', 'targetConnections', 'flows', 'dataSets'])
      assert.equal(left[kind], 0, kind);
    assert.equal(left.schemas, 2, 'only the two Profile schemas stay');
  } finally {
    await emu.close();
  }
});
