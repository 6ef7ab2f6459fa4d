import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { call, emulator, zohoConnectionBody, type Emulator } from '../helpers/emulator.js';
import { assertNoSecrets, cliEnv, runCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;

const FLOW = '/data/foundation/flowservice';
const deletes = (emu: Emu, from = 0) => emu.exchanges.slice(from).filter((e) => e.method === 'DELETE');

async function build(_emu: Emu, env: Env, templates = 'accounts', connectArgs: string[] = []): Promise<any[]> {
  const connected = await runCli(['connect', ...connectArgs, '--json'], env);
  assert.equal(connected.exitCode, 0, connected.stderr);
  const created = await runCli(['dataflow', 'create', '--template', templates, '--json'], env);
  assert.equal(created.exitCode, 0, created.stderr);
  return created.json().dataflows;
}

async function stateOf(env: Env, profile = 'default'): Promise<any> {
  return JSON.parse(await readFile(join(env.AEP_ZOHO_HOME!, 'state', `${profile}.json`), 'utf8')).sandboxes.prod;
}

/** Every id in the emulator, by collection, for "nothing else was touched". */
function inventory(emu: Emu): Record<string, string[]> {
  const s = emu.state as any;
  const out: Record<string, string[]> = {};
  for (const key of [
    'connections',
    'sourceConnections',
    'targetConnections',
    'flows',
    'dataSets',
    'schemas',
    'mixins',
    'classes',
    'descriptors',
    'mappingSets',
  ]) {
    if (s[key]?.all)
      out[key] = s[key]
        .all()
        .map((r: any) => r.id)
        .sort();
  }
  return out;
}

describe('destroy', () => {
  test('--yes deletes everything the profile created, dependents first, and nothing else', async () => {
    const emu = await emulator();
    try {
      // Foreign resources first: another profile's connection and dataflow, and a connection made by hand.
      const other = cliEnv(emu.env, await tempHome(), { AEP_ZOHO_PROFILE: 'other' });
      await build(emu, other, 'accounts');
      const byHand = await call(emu, 'POST', `${FLOW}/connections`, zohoConnectionBody('made in the UI'));
      assert.equal(byHand.status, 201);
      const foreign = inventory(emu);

      const env = cliEnv(emu.env, await tempHome());
      const [accounts, _contacts] = await build(emu, env, 'accounts,contacts');
      const state = await stateOf(env);
      const mine = Object.values(state.dataflows as Record<string, Record<string, any>>).flatMap((refs) =>
        Object.entries(refs)
          .filter(([, r]) => r.created)
          .map(([kind, r]) => ({ kind, id: r.id })),
      );
      assert.ok(
        mine.some((r) => r.kind === 'descriptor'),
        'contacts has an identity descriptor',
      );

      const mark = emu.exchanges.length;
      const r = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const out = r.json();
      // contacts' schema is enabled for Profile (ruling 16): it stays with its field group and identity.
      const profileParts = ['schema', 'fieldGroup', 'descriptor'];
      const stays = (x: { kind: string; template: string }) =>
        x.kind === 'mappingSet' || (x.template === 'contacts' && profileParts.includes(x.kind));
      const mineByTemplate = Object.entries(state.dataflows as Record<string, Record<string, any>>).flatMap(
        ([template, refs]) =>
          Object.entries(refs)
            .filter(([, ref]) => ref.created)
            .map(([kind, ref]) => ({ kind, template, id: ref.id })),
      );
      assert.equal(out.deleted.length, mineByTemplate.filter((x) => !stays(x)).length + 1);
      assert.deepEqual(out.kept.map((k: any) => k.resource).sort(), [
        'field group',
        'identity descriptor',
        'mapping set',
        'mapping set',
        'schema',
      ]);
      assert.match(out.kept.find((k: any) => k.resource === 'mapping set').reason, /no DELETE/);
      assert.match(out.kept.find((k: any) => k.resource === 'schema').reason, /enabled for Profile/);
      assert.ok(
        !deletes(emu, mark).some((e) => e.path.includes('/mappingSets/')),
        'no mapping set DELETE is sent: Data Prep has none (data-prep.yaml), it answers 405',
      );
      assertNoSecrets(r.stdout + r.stderr);

      // Only foreign resources, the undeletable mapping sets and contacts' Profile schema remain.
      const after = inventory(emu);
      const kept = (collection: string) =>
        mineByTemplate
          .filter(
            (x) =>
              stays(x) &&
              { mappingSets: 'mappingSet', schemas: 'schema', mixins: 'fieldGroup', descriptors: 'descriptor' }[
                collection
              ] === x.kind,
          )
          .map((x) => x.id);
      for (const [collection, ids] of Object.entries(after)) {
        assert.deepEqual(ids, [...foreign[collection], ...kept(collection)].sort(), collection);
      }

      // Dependents first: each flow before its connections, datasets before schemas, the base connection last.
      const order = deletes(emu, mark).map((e) => e.path);
      const at = (fragment: string) => order.findIndex((p) => p.includes(fragment));
      assert.ok(at(accounts.flowId) < at(accounts.sourceConnectionId));
      assert.ok(at(accounts.datasetId) < at(encodeURIComponent(accounts.schemaId)));
      assert.ok(order.at(-1)!.startsWith(`${FLOW}/connections/`));

      const left = await stateOf(env);
      assert.deepEqual(Object.keys(left.dataflows), ['contacts'], 'only the kept Profile schema is still recorded');
      assert.equal(left.connection, undefined);

      const again = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(again.exitCode, 0, again.stderr);
      assert.deepEqual(again.json().deleted, []);
    } finally {
      await emu.close();
    }
  });

  test('--dry-run lists each DELETE in order and sends none; without a terminal or --yes it refuses', async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const [flow] = await build(emu, env);
      const mark = emu.exchanges.length;
      const r = await runCli(['destroy', '--dry-run', '--json'], env);
      assert.equal(r.exitCode, 0, r.stderr);
      const { plan } = r.json();
      assert.ok(plan.every((s: any) => s.action === 'delete' && s.request.method === 'DELETE'));
      assert.equal(plan[0].request.path, `${FLOW}/flows/${flow.flowId}`);
      assert.equal(plan.at(-1).resource, 'base connection');
      assert.ok(plan.some((s: any) => s.request.path === `/data/foundation/catalog/dataSets/${flow.datasetId}`));
      // Data Prep has no DELETE for mapping sets (data-prep.yaml): not planned, listed as kept.
      assert.ok(!plan.some((s: any) => s.resource === 'mapping set'));
      assert.deepEqual(
        r
          .json()
          .kept.filter((k: any) => k.resource === 'mapping set')
          .map((k: any) => k.id),
        [flow.mappingSetId],
      );
      assert.deepEqual(deletes(emu, mark), []);

      const human = await runCli(['destroy', '--dry-run'], env);
      assert.match(human.stdout, /delete +dataflow/);
      assert.match(human.stdout, /DELETE \/data\/foundation\/flowservice\/flows\//);
      assert.match(human.stdout, /Dry run: nothing was sent/);

      const refused = await runCli(['destroy', '--json'], env);
      assert.equal(refused.exitCode, 2);
      assert.match(refused.json().error.hint, /--yes/);
      assert.deepEqual(deletes(emu, mark), []);
      assert.ok(emu.state.flows.get(flow.flowId));
    } finally {
      await emu.close();
    }
  });

  test('an interrupted destroy (a flow deleted by hand, a schema still in use) finishes on a re-run', async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const [flow] = await build(emu, env);
      assert.equal((await call(emu, 'DELETE', `${FLOW}/flows/${flow.flowId}`)).status, 204);
      // Someone made a dataset on the profile's schema in the UI: the schema cannot go yet.
      const made = await call(emu, 'POST', '/data/foundation/catalog/dataSets', {
        name: 'made in the UI',
        schemaRef: { id: flow.schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
      });
      assert.equal(made.status, 201);
      const foreignDataset = String(made.body[0]).split('/').pop()!;

      const first = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(first.exitCode, 1, first.stderr);
      const { error } = first.json();
      assert.match(error.message, /destroy stopped after deleting \d+ resource\(s\): could not delete schema/);
      assert.match(error.hint, /re-run 'aep-zoho destroy'/);
      const middle = await stateOf(env);
      const refs = middle.dataflows.accounts;
      assert.equal(refs.flow, undefined, 'the flow deleted by hand is forgotten');
      assert.equal(refs.dataset, undefined, 'the dataset was deleted');
      assert.equal(refs.schema.id, flow.schemaId, 'the schema is still recorded');
      assert.ok(middle.connection, 'the base connection waits for a clean run');
      assert.ok(emu.state.schemas.get(flow.schemaId));
      assert.ok(!emu.state.dataSets.get(flow.datasetId));

      assert.equal((await call(emu, 'DELETE', `/data/foundation/catalog/dataSets/${foreignDataset}`)).status, 200);
      const second = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(second.exitCode, 0, second.stderr);
      assert.ok(second.json().deleted.some((d: any) => d.resource === 'schema'));
      assert.ok(second.json().deleted.some((d: any) => d.resource === 'base connection'));
      const last = await stateOf(env);
      assert.deepEqual(last.dataflows, {});
      assert.equal(last.connection, undefined);
      assert.equal(emu.state.connections.size, 0);
      assert.equal(emu.state.schemas.get(flow.schemaId), undefined);
    } finally {
      await emu.close();
    }
  });

  test('a renamed resource is skipped with a warning; a base connection another flow uses is kept with a plain error', async () => {
    const emu = await emulator();
    try {
      const env = cliEnv(emu.env, await tempHome());
      const [flow] = await build(emu, env);
      // Someone renamed the source connection: no longer ours to delete.
      const source = emu.state.sourceConnections.get(flow.sourceConnectionId)!;
      const renamed = await call(
        emu,
        'PATCH',
        `${FLOW}/sourceConnections/${source.id}`,
        [{ op: 'replace', path: '/name', value: 'Renamed by a colleague' }],
        { ...(await (await import('../helpers/emulator.js')).platformHeaders(emu)), 'if-match': source.etag },
      );
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
      // Another profile reuses this profile's base connection (by name) for its own dataflow.
      const other = cliEnv(emu.env, await tempHome(), { AEP_ZOHO_PROFILE: 'other' });
      const [theirs] = await build(emu, other, 'contacts', ['--name', 'aep-zoho default']);

      const r = await runCli(['destroy', '--yes', '--json'], env);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stderr, /not deleting source connection .*now 'Renamed by a colleague'/);
      const { error } = r.json();
      assert.match(error.message, /could not delete base connection .*1418/);
      assert.match(error.hint, /still used by a dataflow this profile did not create/);
      assert.ok(emu.state.sourceConnections.get(flow.sourceConnectionId), 'the renamed source connection survives');
      assert.ok(emu.state.flows.get(theirs.flowId), "the other profile's flow survives");
      assert.equal(emu.state.flows.get(flow.flowId), undefined);
      const left = await stateOf(env);
      assert.ok(left.connection, 'the base connection is still recorded');
      assert.deepEqual(left.dataflows, {});
    } finally {
      await emu.close();
    }
  });
});
