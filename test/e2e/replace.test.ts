// Replacements Adobe forces, through the real binary: a template pointed at another table and
// class, and another primary identity on a Profile schema with data. One `dataflow create --yes`
// converges (exit 0), the emulator holds exactly one enabled flow on new connections with the
// old dataset kept, and the next plan is empty. Rulings and sources: docs/adobe-rules.md.
import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import type { Template } from '../../src/template/types.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;
const FLOW = '/data/foundation/flowservice';
const SR = '/data/foundation/schemaregistry';

async function ok(argv: string[], env: Env, code = 0) {
  const r = await spawnCli(argv, env);
  assert.equal(r.exitCode, code, `${argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const builtIn = async (name: string): Promise<Template> =>
  JSON.parse(await readFile(new URL(`../../templates/${name}.json`, import.meta.url), 'utf8'));

async function saveTemplate(home: string, template: Template): Promise<string> {
  const file = join(home, `${template.name}.json`);
  await writeFile(file, JSON.stringify({ ...template, $schema: undefined }, null, 2));
  return file;
}

async function withEmulator(
  run: (emu: Emu, env: Env, home: string) => Promise<void>,
  options: Parameters<typeof emulator>[0] = {},
): Promise<void> {
  const emu = await emulator(options);
  const home = await tempHome();
  try {
    const env = cliEnv(emu.env, home, { NO_COLOR: '1' });
    await ok(['connect', '--json'], env);
    await run(emu, env, home);
  } finally {
    await emu.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** The requests a run sent, as `METHOD path` (writes only). */
const writes = (emu: Emu, from: number) =>
  emu.exchanges
    .slice(from)
    .filter((e) => e.method !== 'GET' && !e.path.startsWith('/ims/'))
    .map((e) => ({ line: `${e.method} ${e.path}`, status: e.status, query: e.query }));

/** What one run left: exactly one flow, enabled, on connections no other flow uses. */
function assertOneLiveFlow(emu: Emu, result: any): void {
  const flows = emu.state.flows.all();
  assert.deepEqual(
    flows.map((f: any) => f.id),
    [result.flowId],
    'exactly one flow',
  );
  assert.equal(flows[0].state, 'enabled');
  assert.deepEqual(flows[0].sourceConnectionIds, [result.sourceConnectionId]);
  assert.deepEqual(flows[0].targetConnectionIds, [result.targetConnectionId]);
  assert.equal(emu.state.targetConnections.get(result.targetConnectionId)!.params.dataSetId, result.datasetId);
}

/**
 * Each retirement after what depends on it: the old flow is disabled before the new flow exists
 * (a flow is created enabled; Flow Service takes no `state` on create, 1410-400), deleted before
 * its connections, and no request failed.
 */
function assertOrder(emu: Emu, mark: number, first: any, result: any): void {
  const sent = writes(emu, mark);
  assert.deepEqual(
    sent.filter((s) => s.status >= 400),
    [],
    'no request Adobe refuses',
  );
  const at = (line: string) => {
    const i = sent.findIndex((s) => s.line === line);
    assert.ok(i >= 0, `${line} was sent: ${sent.map((s) => s.line).join('\n')}`);
    return i;
  };
  const disable = sent.findIndex(
    (s) => s.line === `POST ${FLOW}/flows/${first.flowId}/action` && String(s.query.op).toLowerCase() === 'disable',
  );
  assert.ok(disable >= 0, 'the old flow is disabled');
  assert.ok(disable < at(`POST ${FLOW}/flows`), 'the old flow is disabled before the new one is created');
  const flowGone = at(`DELETE ${FLOW}/flows/${first.flowId}`);
  assert.ok(flowGone < at(`DELETE ${FLOW}/sourceConnections/${first.sourceConnectionId}`), 'flow before source');
  assert.ok(flowGone < at(`DELETE ${FLOW}/targetConnections/${first.targetConnectionId}`), 'flow before target');
  assert.notEqual(result.sourceConnectionId, first.sourceConnectionId, 'a new source connection');
  assert.notEqual(result.targetConnectionId, first.targetConnectionId, 'a new target connection');
}

describe('replacements Adobe forces, in one apply (real binary)', () => {
  /** `from` pointed at `to`'s table, class (and fallback class), field groups, mappings and identity; its own names stay. */
  const pointed = (from: Template, to: Template): Template => ({
    ...from,
    source: to.source,
    target: {
      ...from.target,
      schema: {
        ...from.target.schema,
        class: to.target.schema.class,
        fallbackClass: to.target.schema.fallbackClass,
        fieldGroups: to.target.schema.fieldGroups,
      },
      dataset: { ...from.target.dataset, profileEnabled: to.target.dataset.profileEnabled },
    },
    mappings: to.mappings,
    identity: to.identity,
  });

  for (const [from, to, b2b] of [
    ['accounts', 'deals', true],
    // Without B2B classes Deals lands on a tenant class made in the same run: the field group cannot follow.
    ['contacts', 'deals', false],
  ] as const) {
    test(`another table and another class (${from} → ${to}${b2b ? '' : ', a new tenant class'}): one run with --yes, the old dataset kept`, async () => {
      await withEmulator(
        async (emu, env, home) => {
          const template = await builtIn(from);
          const target = await builtIn(to);
          const file = await saveTemplate(home, template);
          const first = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json();
          await saveTemplate(home, pointed(template, target));

          const dry = (await ok(['dataflow', 'create', '--template', file, '--dry-run', '--json'], env)).json();
          const by = (resource: string) => dry.plan.find((s: any) => s.resource === resource);
          assert.equal(by('field group').action, 'replace', JSON.stringify(by('field group')));
          assert.match(by('field group').reason, /class/);
          for (const resource of ['schema', 'dataset', 'source connection', 'target connection', 'dataflow'])
            assert.equal(by(resource).action, 'replace', resource);
          assert.match(
            by('source connection').reason,
            new RegExp(`source.table ${template.source.table} → ${to}`, 'i'),
          );
          assert.ok(
            (by('dataset').notes ?? []).some((n: string) => /kept with its data/.test(n)),
            `the plan says the dataset is kept: ${JSON.stringify(by('dataset'))}`,
          );

          const mark = emu.exchanges.length;
          const out = (await ok(['dataflow', 'create', '--template', file, '--yes', '--json'], env)).json();
          assertOrder(emu, mark, first, out);
          assertOneLiveFlow(emu, out);
          assert.equal(
            emu.state.sourceConnections.get(out.sourceConnectionId)!.params.tableName,
            crmTables().find((t) => t.name === target.source.table)!.path,
          );
          assert.notEqual(out.datasetId, first.datasetId);
          const kept = emu.state.dataSets.get(first.datasetId);
          assert.ok(kept, 'the old dataset is kept');
          assert.match(kept!.name, /\(replaced /);
          const schema = emu.state.schemas.all().find((s: any) => s.$id === out.schemaId) as any;
          if (b2b) assert.equal(schema['meta:class'], target.target.schema.class);
          else assert.match(schema['meta:class'], /\/classes\//);
          assert.deepEqual(
            emu.state.sourceConnections.all().map((c: any) => c.id),
            [out.sourceConnectionId],
          );
          assert.deepEqual(
            emu.state.targetConnections.all().map((c: any) => c.id),
            [out.targetConnectionId],
          );

          await ok(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'], env, 0);
        },
        { hasB2BClasses: b2b },
      );
    });
  }

  test('another primary identity on a Profile schema with data: a new schema, dataset, connections and flow', async () => {
    await withEmulator(async (emu, env, home) => {
      const contacts = await builtIn('contacts');
      const file = await saveTemplate(home, contacts);
      const first = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json();
      const oldSchema = first.schemaId;
      // Mobile phone as the primary identity instead of the e-mail address.
      const phone = contacts.mappings.find((m) => m.destination === 'mobilePhone.number')!;
      await saveTemplate(home, {
        ...contacts,
        identity: { source: phone.source!, destination: phone.destination, namespace: 'Phone', primary: true },
      });

      const mark = emu.exchanges.length;
      const dry = (await ok(['dataflow', 'create', '--template', file, '--dry-run', '--json'], env)).json();
      const by = (resource: string) => dry.plan.find((s: any) => s.resource === resource);
      assert.equal(by('schema').action, 'replace', JSON.stringify(by('schema')));
      assert.match(by('schema').reason, /primary identity/);
      assert.match(by('schema').reason, /Profile/);
      for (const resource of ['dataset', 'source connection', 'target connection', 'dataflow'])
        assert.equal(by(resource).action, 'replace', resource);

      const out = (await ok(['dataflow', 'create', '--template', file, '--yes', '--json'], env)).json();
      assert.ok(
        !writes(emu, mark).some((s) => s.line.startsWith(`PUT ${SR}/tenant/descriptors`)),
        'no descriptor PUT Adobe refuses',
      );
      assertOrder(emu, mark, first, out);
      assertOneLiveFlow(emu, out);
      assert.notEqual(out.schemaId, oldSchema);
      assert.ok(emu.state.dataSets.get(first.datasetId), 'the old dataset is kept');
      const primary = emu.state.descriptors
        .all()
        .filter((d: any) => d['xdm:sourceSchema'] === out.schemaId && d['xdm:isPrimary'] === true);
      assert.deepEqual(
        primary.map((d: any) => `${d['xdm:namespace']} ${d['xdm:sourceProperty']}`),
        ['Phone /mobilePhone/number'],
      );
      const schema = emu.state.schemas.all().find((s: any) => s.$id === out.schemaId) as any;
      assert.deepEqual(schema['meta:immutableTags'], ['union'], 'the new schema is enabled for Profile');

      await ok(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'], env, 0);
    });
  });

  test('Adobe refuses the new flow of a replace: the old flow is enabled again and the error says so', async () => {
    await withEmulator(async (emu, env, home) => {
      const accounts = await builtIn('accounts');
      const file = await saveTemplate(home, accounts);
      const first = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json();
      await saveTemplate(home, { ...accounts, source: { ...accounts.source, deltaColumn: 'Created_Time' } });
      const dry = (await ok(['dataflow', 'create', '--template', file, '--dry-run', '--json'], env)).json();
      assert.equal(dry.plan.find((s: any) => s.resource === 'dataflow').action, 'replace');

      emu.faults.add({
        method: 'POST',
        path: /^\/data\/foundation\/flowservice\/flows$/,
        fault: { kind: 'status', status: 400 },
      });
      const refused = await spawnCli(['dataflow', 'create', '--template', file, '--yes', '--json'], env);
      assert.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
      assert.match(
        refused.json().error.hint,
        new RegExp(`${first.flowId} was disabled for its replacement and is enabled again`),
      );
      assert.deepEqual(
        emu.state.flows.all().map((f: any) => `${f.id} ${f.state}`),
        [`${first.flowId} enabled`],
        'the old flow runs on, alone',
      );

      const out = (await ok(['dataflow', 'create', '--template', file, '--yes', '--json'], env)).json();
      assertOneLiveFlow(emu, out);
      await ok(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'], env, 0);
    });
  });
});
