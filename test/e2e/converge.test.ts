// Day two, through the real binary: edit a template, see the plan, apply it, see nothing left to do.
// Also drift made behind the tool's back, --exit-code, a replace, enable/disable, and destroy of
// one template or from an empty home.
import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { crmTables } from '../../src/emulator/zoho-crm.js';
import type { Template } from '../../src/template/types.js';
import { call, emulator, platformHeaders, type Emulator } from '../helpers/emulator.js';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { plain, ptyRun } from '../helpers/pty.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;
const FLOW = '/data/foundation/flowservice';
const writes = (emu: Emu, from: number) =>
  emu.exchanges.slice(from).filter((e) => e.method !== 'GET' && !e.path.startsWith('/ims/'));

async function ok(argv: string[], env: Env, code = 0) {
  const r = await spawnCli(argv, env);
  assert.equal(r.exitCode, code, `${argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function setUp(): Promise<{ emu: Emu; env: Env; home: string }> {
  const emu = await emulator();
  const home = await tempHome();
  const env = cliEnv(emu.env, home, { NO_COLOR: '1' });
  await ok(['connect', '--json'], env);
  return { emu, env, home };
}

const builtIn = async (name: string): Promise<Template> =>
  JSON.parse(await readFile(new URL(`../../templates/${name}.json`, import.meta.url), 'utf8'));

async function saveTemplate(home: string, template: Template): Promise<string> {
  const file = join(home, `${template.name}.json`);
  await writeFile(file, JSON.stringify({ ...template, $schema: undefined }, null, 2));
  return file;
}

/** The edit a user makes in a week: one more mapping to a new tenant field, one fewer, daily instead of hourly. */
function edit(template: Template): { edited: Template; added: string; dropped: string } {
  const edited: Template = structuredClone(template);
  const reserved = new Set([template.source.deltaColumn, template.identity?.source]);
  const plain = edited.mappings.filter(
    (m) => m.source && !m.source.includes('.') && !reserved.has(m.source) && !m.destination.startsWith('_{TENANT_ID}'),
  );
  const dropped = plain.at(-1)!;
  edited.mappings = edited.mappings.filter((m) => m !== dropped);
  const added = `_{TENANT_ID}.zoho.extra.${plain[0].source!.toLowerCase()}`;
  edited.mappings.push({ source: plain[0].source, destination: added });
  edited.schedule = { frequency: 'day', interval: 1, backfill: true };
  return { edited, added: added.split('.').at(-1)!, dropped: dropped.destination };
}

describe('edit → dry run → apply → dry run, for every built-in template (real binary)', () => {
  for (const name of ['accounts', 'contacts', 'leads', 'deals']) {
    test(name, async () => {
      const { emu, env, home } = await setUp();
      try {
        const template = await builtIn(name);
        const file = await saveTemplate(home, template);
        const first = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json().dataflows[0];
        const { edited, added, dropped } = edit(template);
        await saveTemplate(home, edited);

        // The dry run lists each change, field by field, and sends no write.
        const mark = emu.exchanges.length;
        const dry = await ok(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'], env, 3);
        assert.deepEqual(writes(emu, mark), []);
        const changed = dry.json().plan.filter((s: any) => s.action !== 'reuse');
        assert.deepEqual(changed.map((s: any) => `${s.action} ${s.resource}`).sort(), [
          'update dataflow',
          'update field group',
          'update mapping set',
        ]);
        const flowStep = changed.find((s: any) => s.resource === 'dataflow');
        assert.deepEqual(
          flowStep.changes.find((c: any) => c.field === 'scheduleParams.frequency'),
          { field: 'scheduleParams.frequency', from: 'hour', to: 'day' },
        );
        const mappingStep = changed.find((s: any) => s.resource === 'mapping set');
        assert.ok(
          mappingStep.changes.some((c: any) => c.from?.endsWith(`→ ${dropped}`)),
          JSON.stringify(mappingStep.changes),
        );
        assert.ok(mappingStep.changes.some((c: any) => c.to?.endsWith(`.zoho.extra.${added}`)));
        const human = await ok(['dataflow', 'create', '--template', file, '--dry-run'], env);
        assert.match(human.stdout, /~ update +dataflow/);
        assert.match(human.stdout, /scheduleParams\.frequency: hour → day/);

        // Apply: the same resources change in place.
        const applied = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json().dataflows[0];
        for (const key of [
          'flowId',
          'datasetId',
          'schemaId',
          'mappingSetId',
          'sourceConnectionId',
          'targetConnectionId',
        ])
          assert.equal(applied[key], first[key], key);
        assert.deepEqual(applied.updated.sort(), ['fieldGroup', 'flow', 'mappingSet']);
        const flow = emu.state.flows.get(applied.flowId)!;
        assert.equal(flow.scheduleParams.frequency, 'day');
        assert.equal(flow.transformations[0].name, 'Copy', 'the Copy transformation is intact');
        assert.equal(flow.transformations[0].params.deltaColumn.name, template.source.deltaColumn);
        const mappingSet = emu.state.mappingSets.get(applied.mappingSetId)!;
        assert.equal(mappingSet.version, 1);
        assert.equal(String(flow.transformations[1].params.mappingVersion), '1');
        assert.ok(mappingSet.mappings.some((m: any) => m.destination.endsWith(`.zoho.extra.${added}`)));
        assert.ok(!mappingSet.mappings.some((m: any) => m.destination === dropped));
        const fieldGroup = emu.state.fieldGroups.all().find((g: any) => g.title.includes(`/${name})`))!;
        assert.match(JSON.stringify(fieldGroup.definitions), new RegExp(`"${added}"`));

        // Nothing left to do.
        const after = await ok(
          ['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'],
          env,
          0,
        );
        assert.deepEqual(
          after.json().plan.filter((s: any) => s.action !== 'reuse'),
          [],
        );
      } finally {
        await emu.close();
      }
    });
  }
});

describe('drift, replace, enable/disable and destroy (real binary)', () => {
  test('a schedule and a name changed in the UI are shown and put back', async () => {
    const { emu, env } = await setUp();
    try {
      const made = (await ok(['dataflow', 'create', '--template', 'accounts', '--json'], env)).json().dataflows[0];
      const flow = emu.state.flows.get(made.flowId)!;
      const headers = { ...(await platformHeaders(emu)), 'if-match': flow.etag };
      const drift = await call(
        emu,
        'PATCH',
        `${FLOW}/flows/${made.flowId}`,
        [
          { op: 'replace', path: '/scheduleParams/interval', value: '6' },
          { op: 'replace', path: '/name', value: 'renamed in the UI' },
        ],
        headers,
      );
      assert.equal(drift.status, 200, JSON.stringify(drift.body));

      const dry = (
        await ok(['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'], env, 3)
      ).json();
      const step = dry.plan.find((s: any) => s.resource === 'dataflow');
      assert.equal(step.action, 'update');
      assert.deepEqual(step.changes, [
        { field: 'name', from: 'renamed in the UI', to: 'Zoho CRM Accounts to AEP (aep-zoho default/accounts)' },
        { field: 'scheduleParams.interval', from: '6', to: '1' },
      ]);
      await ok(['dataflow', 'create', '--template', 'accounts', '--json'], env);
      assert.equal(String(emu.state.flows.get(made.flowId)!.scheduleParams.interval), '1');
      assert.equal(emu.state.flows.get(made.flowId)!.name, 'Zoho CRM Accounts to AEP (aep-zoho default/accounts)');
      await ok(['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code'], env, 0);
    } finally {
      await emu.close();
    }
  });

  test('another table: the plan says why it replaces, needs --yes, and leaves exactly one live flow', async () => {
    const { emu, env, home } = await setUp();
    try {
      const template = await builtIn('accounts');
      const file = await saveTemplate(home, template);
      const first = (await ok(['dataflow', 'create', '--template', file, '--json'], env)).json().dataflows[0];
      await saveTemplate(home, { ...template, source: { ...template.source, table: 'Products' } });

      const dry = (
        await ok(['dataflow', 'create', '--template', file, '--dry-run', '--allow-missing-columns', '--json'], env)
      ).json();
      const source = dry.plan.find((s: any) => s.resource === 'source connection');
      assert.equal(source.action, 'replace');
      assert.equal(source.reason, 'forces replacement: source.table Accounts → Products');
      assert.equal(dry.plan.find((s: any) => s.resource === 'dataflow').action, 'replace');

      const mark = emu.exchanges.length;
      const refused = await ok(['dataflow', 'create', '--template', file, '--allow-missing-columns', '--json'], env, 2);
      assert.match(refused.json().error.hint, /--yes/);
      assert.deepEqual(writes(emu, mark), [], 'nothing sent without --yes');

      const replaced = (
        await ok(['dataflow', 'create', '--template', file, '--yes', '--allow-missing-columns', '--json'], env)
      ).json();
      // A new flow gets a new pair of source and target connections (update-dataflows.md).
      assert.deepEqual(replaced.replaced.sort(), ['flow', 'sourceConnection', 'targetConnection']);
      assert.notEqual(replaced.targetConnectionId, first.targetConnectionId);
      assert.notEqual(replaced.flowId, first.flowId);
      assert.equal(replaced.datasetId, first.datasetId, 'the dataset and its data stay');
      assert.deepEqual(
        emu.state.flows.all().map((f: any) => f.id),
        [replaced.flowId],
        'exactly one live flow',
      );
      assert.equal(
        emu.state.sourceConnections.get(first.sourceConnectionId),
        undefined,
        'the old source connection is gone',
      );
      assert.equal(
        emu.state.sourceConnections.get(replaced.sourceConnectionId)!.params.tableName,
        crmTables().find((t) => t.name === 'Products')!.path,
      );
      await ok(
        ['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--allow-missing-columns'],
        env,
        0,
      );
    } finally {
      await emu.close();
    }
  });

  test('dataflow disable and enable: the action once, then nothing to change', async () => {
    const { emu, env } = await setUp();
    try {
      const made = (await ok(['dataflow', 'create', '--template', 'deals', '--json'], env)).json().dataflows[0];
      const off = (await ok(['dataflow', 'disable', 'deals', '--json'], env)).json();
      assert.deepEqual(off, {
        flowId: made.flowId,
        name: 'Zoho CRM Deals to AEP (aep-zoho default/deals)',
        state: 'disabled',
        changed: true,
        template: 'deals',
      });
      assert.equal(emu.state.flows.get(made.flowId)!.state, 'disabled');
      const actions = () => emu.exchanges.filter((e) => e.method === 'POST' && e.path.endsWith('/action')).length;
      assert.equal(actions(), 1);
      assert.equal((await ok(['dataflow', 'disable', made.flowId, '--json'], env)).json().changed, false);
      assert.equal(actions(), 1, 'already disabled: nothing sent');
      const on = (await ok(['dataflow', 'enable', 'deals'], env)).stdout;
      assert.match(on, /is now enabled/);
      assert.equal(emu.state.flows.get(made.flowId)!.state, 'enabled');
      await ok(['dataflow', 'enable', 'no-such-flow'], env, 2);
    } finally {
      await emu.close();
    }
  });

  test('destroy on a terminal lists the deletes, datasets first, before asking; "no" exits 1 and deletes nothing', async () => {
    const { emu, env } = await setUp();
    try {
      await ok(['dataflow', 'create', '--template', 'deals', '--json'], env);
      let answered = false;
      const r = await ptyRun(['destroy'], env, {
        cols: 200,
        onData: (output, pty) => {
          if (!answered && /\[y\/N\]/.test(output)) {
            answered = true;
            pty.write('n\r');
          }
        },
      });
      const text = plain(r.output);
      assert.equal(r.exitCode, 1, text);
      const lines = text.split('\n').filter((line) => /^\s+delete /.test(line));
      assert.match(lines[0], /delete dataset 'Zoho CRM Deals/);
      assert.ok(
        lines.some((line) => /delete dataflow/.test(line)) && lines.some((line) => /delete base connection/.test(line)),
      );
      assert.match(
        text,
        /Delete \d+ resource\(s\).*including dataset 'Zoho CRM Deals \(aep-zoho default\/deals\)' and the data in it\? \[y\/N\]/,
      );
      assert.match(text, /destroy cancelled: nothing was deleted/);
      assert.equal(emu.state.flows.size, 1);
      assert.equal(emu.state.dataSets.size, 1);
    } finally {
      await emu.close();
    }
  });

  test('destroy --template deletes only that template; destroy from an empty home finds the rest by name and marker', async () => {
    const { emu, env } = await setUp();
    try {
      const out = (await ok(['dataflow', 'create', '--template', 'accounts,deals', '--json'], env)).json();
      const [accounts, deals] = out.dataflows;
      const dry = (await ok(['destroy', '--template', 'deals', '--dry-run', '--json'], env)).json();
      assert.ok(
        dry.plan.every((s: any) => s.template === 'deals'),
        JSON.stringify(dry.plan.map((s: any) => s.name)),
      );
      await ok(['destroy', '--template', 'deals', '--json'], env, 2); // no terminal, no --yes
      const gone = (await ok(['destroy', '--template', 'deals', '--yes', '--json'], env)).json();
      assert.ok(gone.deleted.some((d: any) => d.id === deals.flowId));
      assert.equal(emu.state.flows.get(deals.flowId), undefined);
      assert.ok(emu.state.flows.get(accounts.flowId), 'the other template stays');
      assert.equal(emu.state.connections.size, 1, 'the base connection stays');
      await ok(['destroy', '--template', 'nosuch', '--yes', '--json'], env, 2);

      const empty = { ...env, AEP_ZOHO_HOME: await tempHome() };
      const all = (await ok(['destroy', '--yes', '--json'], empty)).json();
      assert.ok(all.deleted.some((d: any) => d.id === accounts.flowId && d.template === 'accounts'));
      assert.ok(all.deleted.some((d: any) => d.resource === 'base connection'));
      const left = emu.state.counts();
      for (const kind of [
        'connections',
        'sourceConnections',
        'targetConnections',
        'flows',
        'dataSets',
        'schemas',
        'fieldGroups',
      ])
        assert.equal(left[kind], 0, kind);
    } finally {
      await emu.close();
    }
  });
});
