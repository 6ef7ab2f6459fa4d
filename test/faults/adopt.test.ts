// Finding what is ours by name and marker, on both paths, from any machine (issues 20, 21.5, 21.6,
// 24.3), through the real CLI against the emulator:
// - a lost answer to the connection POST is adopted, not made twice;
// - a fresh home (no state file) lists and shows the dataflows this profile made;
// - two machines creating the same template at once end, after one more run, with one of each;
// - a replace killed after the new flow's POST: the next run adopts the new flow and retires the old.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { call, emulator } from '../helpers/emulator.js';

const PATHS = ['zoho-source', 'http-api'] as const;
const homes: string[] = [];
const home = async () => {
  const h = await tempHome();
  homes.push(h);
  return h;
};
after(() => Promise.all(homes.map((h) => rm(h, { recursive: true, force: true }))));

const envFor = (emu: { env: Record<string, string>; url: string }, h: string, extra: Record<string, string> = {}) =>
  cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, h, extra);

describe('a lost answer to the connection POST is adopted (issue 20)', () => {
  for (const via of PATHS) {
    test(`connect --via ${via}: one connection, the one recorded`, async () => {
      const emu = await emulator();
      try {
        const env = envFor(emu, await home());
        emu.faults.add({ method: 'POST', path: '/data/foundation/flowservice/connections', fault: { kind: 'drop' } });
        const r = await runCli(['connect', '--via', via, '--json'], env);
        assert.equal(emu.faults.fired.length, 1, 'the answer was dropped');
        assert.equal(r.exitCode, 0, r.stdout + r.stderr);
        const connections = emu.state.connections.all();
        assert.equal(connections.length, 1, `${connections.length} connections`);
        assert.equal(r.json().connectionId, connections[0].id);
      } finally {
        await emu.close();
      }
    });
  }
});

describe("a fresh home sees the profile's dataflows (issues 20, 24.3)", () => {
  for (const via of PATHS) {
    test(`--via ${via}: dataflow list, list --all and status <template> without the state file`, async () => {
      const emu = await emulator();
      try {
        const made = envFor(emu, await home());
        assert.equal((await runCli(['connect', '--via', via, '--json'], made)).exitCode, 0);
        const created = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], made);
        assert.equal(created.exitCode, 0, created.stderr);
        const [flow] = emu.state.flows.all();

        const fresh = envFor(emu, await home());
        // The real binary, as a CI runner would run it.
        const list = await spawnCli(['dataflow', 'list', '--json'], fresh);
        assert.equal(list.exitCode, 0, list.stderr);
        assert.deepEqual(
          list.json().flows.map((f: any) => [f.template, f.id, f.profile]),
          [['accounts', flow.id, true]],
        );
        const all = await spawnCli(['dataflow', 'list', '--all', '--json'], fresh);
        assert.deepEqual(
          all.json().flows.map((f: any) => [f.template, f.id]),
          [['accounts', flow.id]],
        );
        const human = await spawnCli(['dataflow', 'list'], fresh);
        assert.match(human.stdout, /accounts/);
        assert.match(human.stdout, new RegExp(flow.id.slice(0, 8)));
        const status = await spawnCli(['dataflow', 'status', 'accounts', '--json'], fresh);
        assert.equal(status.exitCode, 0, status.stdout + status.stderr);
        assert.equal(status.json().flowId, flow.id);
        assert.equal(status.json().template, 'accounts');
      } finally {
        await emu.close();
      }
    });
  }
});

describe('two machines create the same template at once (issue 21.5)', () => {
  for (const via of PATHS) {
    test(`--via ${via}: one more run from either leaves one of each and one enabled flow`, async (t) => {
      const emu = await emulator();
      try {
        // The run after is from the first machine on one path and the second on the other ('either').
        const machines = [envFor(emu, await home()), envFor(emu, await home())];
        const [a, b] = via === 'http-api' ? machines.reverse() : machines;
        // Both machines at once, as two CI runners would: connect, then create.
        for (const argv of [
          ['connect', '--via', via, '--json'],
          ['dataflow', 'create', '--template', 'accounts', '--json'],
        ]) {
          const runs = await Promise.all([a, b].map((env) => spawnCli(argv, env)));
          // A run that saw the other's half-made dataflow may plan a replace and ask first (exit 2, nothing sent).
          for (const r of runs)
            if (r.exitCode !== 0)
              assert.ok(r.exitCode === 2 && /Confirmation needed/.test(r.stdout), r.stdout + r.stderr);
        }
        const made = emu.state.counts();
        t.diagnostic(`made at once: ${JSON.stringify(made)}`);
        // The dry run from the machine that has a state file says what it retires, and exits 3.
        const dry = await runCli(
          ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'],
          b,
        );
        const duplicates = dry
          .json()
          .plan.filter((s: any) => s.action === 'delete' && /duplicate/.test(s.reason ?? ''));
        const twice = ['connections', 'flows', 'sourceConnections', 'targetConnections', 'dataSets'].filter(
          (k) => made[k] > 1,
        );
        if (twice.length) {
          assert.equal(dry.exitCode, 3, dry.stdout + dry.stderr);
          assert.ok(duplicates.length >= twice.length, JSON.stringify(dry.json().plan, null, 1));
        }
        const human = await runCli(['dataflow', 'create', '--template', 'accounts', '--dry-run'], b);
        if (twice.length) assert.match(human.stdout + human.stderr, /duplicate/);

        const mark = emu.exchanges.length;
        const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--yes', '--json'], a);
        assert.equal(again.exitCode, 0, again.stdout + again.stderr);
        // A duplicate flow stops before it goes: disabled, then deleted.
        const sent = emu.exchanges
          .slice(mark)
          .map((e) => `${e.method} ${e.path}${e.query?.op ? ` ${e.query.op}` : ''}`);
        for (const [i, line] of sent.entries()) {
          const gone = line.match(/^DELETE \/data\/foundation\/flowservice\/flows\/([^/ ]+)$/)?.[1];
          if (gone)
            assert.ok(
              sent.slice(0, i).some((s) => s === `POST /data/foundation/flowservice/flows/${gone}/action disable`),
              `flow ${gone} was deleted without being disabled first:\n${sent.join('\n')}`,
            );
        }
        const counts = emu.state.counts();
        for (const kind of [
          'connections',
          'sourceConnections',
          'targetConnections',
          'flows',
          'dataSets',
          'schemas',
          'fieldGroups',
        ])
          assert.equal(counts[kind], 1, `${counts[kind]} ${kind} (made: ${made[kind]})`);
        const flows = emu.state.flows.all();
        assert.equal(flows.filter((f: any) => f.state === 'enabled').length, 1);
        // The other machine agrees: nothing left to change.
        const other = await runCli(
          ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'],
          b,
        );
        assert.equal(other.exitCode, 0, JSON.stringify(other.json().plan?.filter((s: any) => s.action !== 'reuse')));
      } finally {
        await emu.close();
      }
    });
  }
});

describe('a duplicate base connection older than the one in use (issue 21.5)', () => {
  for (const via of PATHS) {
    test(`--via ${via}: the oldest connection wins; the dataflow moves to it and the younger connection goes`, async () => {
      const emu = await emulator();
      try {
        const env = envFor(emu, await home());
        assert.equal((await runCli(['connect', '--via', via, '--json'], env)).exitCode, 0);
        const made = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
        assert.equal(made.exitCode, 0, made.stderr);
        // Another machine's connection of the same name and marker, made a moment earlier.
        const [mine] = emu.state.connections.all();
        const { name, description, connectionSpec } = mine;
        const auth =
          via === 'http-api'
            ? { specName: mine.auth.specName, params: { ...mine.auth.params, inletUrl: undefined } }
            : mine.auth;
        const other = await call(emu, 'POST', '/data/foundation/flowservice/connections', {
          name,
          description,
          auth: JSON.parse(JSON.stringify(auth)),
          connectionSpec,
        });
        assert.equal(other.status, 201, JSON.stringify(other.body));
        emu.state.connections.get(other.body.id)!.createdAt = mine.createdAt - 1000;

        const dry = await runCli(
          ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'],
          env,
        );
        assert.equal(dry.exitCode, 3, dry.stdout + dry.stderr);
        const gone = dry.json().plan.find((s: any) => s.resource === 'base connection' && s.action === 'delete');
        assert.equal(gone?.id, mine.id, JSON.stringify(dry.json().plan, null, 1));
        assert.match(gone.reason, new RegExp(`duplicate of ${other.body.id}`));

        const again = await runCli(['dataflow', 'create', '--template', 'accounts', '--yes', '--json'], env);
        assert.equal(again.exitCode, 0, again.stdout + again.stderr);
        assert.deepEqual(
          emu.state.connections.all().map((c: any) => c.id),
          [other.body.id],
        );
        const sources = emu.state.sourceConnections.all();
        assert.deepEqual(
          sources.map((s: any) => s.baseConnectionId),
          [other.body.id],
        );
        const flows = emu.state.flows.all();
        assert.equal(flows.length, 1);
        assert.deepEqual(flows[0].sourceConnectionIds, [sources[0].id]);
        assert.equal(flows[0].state, 'enabled');
        const state = JSON.parse(await readFile(join(homes.at(-1)!, 'state', 'default.json'), 'utf8'));
        assert.equal(state.sandboxes.prod.connection.id, other.body.id);
        const settled = await runCli(
          ['dataflow', 'create', '--template', 'accounts', '--dry-run', '--exit-code', '--json'],
          env,
        );
        assert.equal(
          settled.exitCode,
          0,
          JSON.stringify(settled.json().plan?.filter((s: any) => s.action !== 'reuse')),
        );
      } finally {
        await emu.close();
      }
    });
  }
});

describe('connect finds a younger duplicate of its base connection (issue 21.5)', () => {
  for (const via of PATHS) {
    test(`--via ${via}: the oldest stays; the younger one, unused, goes, and the plan says why`, async () => {
      const emu = await emulator();
      try {
        const env = envFor(emu, await home());
        const first = await runCli(['connect', '--via', via, '--json'], env);
        assert.equal(first.exitCode, 0, first.stderr);
        // A second machine connected at the same moment, with an empty home: its own copy.
        const other = envFor(emu, await home());
        const [mine] = emu.state.connections.all();
        const copy = await call(emu, 'POST', '/data/foundation/flowservice/connections', {
          name: mine.name,
          description: mine.description,
          auth:
            via === 'http-api'
              ? { specName: mine.auth.specName, params: { ...mine.auth.params, inletUrl: undefined } }
              : mine.auth,
          connectionSpec: mine.connectionSpec,
        });
        assert.equal(copy.status, 201);
        const dry = await runCli(['connect', '--via', via, '--dry-run', '--json'], other);
        assert.equal(dry.exitCode, 0, dry.stderr);
        const gone = dry.json().plan.find((s: any) => s.action === 'delete');
        assert.equal(gone?.id, copy.body.id, JSON.stringify(dry.json().plan));
        assert.match(gone.reason, new RegExp(`duplicate of ${mine.id}`));
        const human = await runCli(['connect', '--via', via, '--dry-run'], other);
        assert.match(human.stdout + human.stderr, /duplicate of/);
        const r = await runCli(['connect', '--via', via, '--json'], other);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(r.json().connectionId, mine.id);
        assert.deepEqual(
          emu.state.connections.all().map((c: any) => c.id),
          [mine.id],
        );
      } finally {
        await emu.close();
      }
    });
  }
});

describe('a replace killed after the new flow was made (issue 21.6)', () => {
  // Up to 60 s: the answer is held 10 s, and a test that waits on a process must end on its own.
  test('list and the dry run report both flows; the next run adopts the new one and retires the old', {
    timeout: 60_000,
  }, async () => {
    const emu = await emulator();
    try {
      const h = await home();
      const env = envFor(emu, h);
      assert.equal((await runCli(['connect', '--json'], env)).exitCode, 0);
      const template = JSON.parse(await readFile(new URL('../../templates/accounts.json', import.meta.url), 'utf8'));
      const file = join(h, 'accounts.json');
      await writeFile(file, JSON.stringify({ ...template, $schema: undefined }));
      const first = await runCli(['dataflow', 'create', '--template', file, '--json'], env);
      assert.equal(first.exitCode, 0, first.stderr);
      const [old] = emu.state.flows.all();
      // Another delta column forces a new flow: killed the moment Adobe has made it, before the answer.
      await writeFile(
        file,
        JSON.stringify({
          ...template,
          $schema: undefined,
          source: { ...template.source, deltaColumn: 'Created_Time' },
        }),
      );
      const killed = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, 'dataflow', 'create', '--template', file, '--yes'], {
          env: env as NodeJS.ProcessEnv,
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('close', (code) => resolve(code));
        emu.faults.add({
          method: 'POST',
          // The create only: a prefix would also match the old flow's `POST /flows/{id}/action`
          // (disable), and hold that answer instead, so the kill raced the create's answer.
          path: /^\/data\/foundation\/flowservice\/flows$/,
          fault: { kind: 'delay', ms: 10_000, handle: 'after' },
          // Killed once Adobe has made it (the emulator handles the POST, then holds the answer);
          // no more polling once the child is gone, whatever ended it.
          onFire: () => {
            const killWhenMade = () => {
              if (child.exitCode !== null || child.signalCode !== null) return;
              if (emu.state.flows.all().length >= 2) child.kill('SIGKILL');
              else setTimeout(killWhenMade, 5);
            };
            killWhenMade();
          },
        });
      });
      assert.equal(killed, null, 'killed');
      assert.deepEqual(
        emu.faults.fired.map((f) => [f.method, f.path]),
        [['POST', '/data/foundation/flowservice/flows']],
        "the create's answer was the one held",
      );
      const flows = emu.state.flows.all();
      assert.equal(flows.length, 2, 'the new flow was made');
      const made = flows.find((f: any) => f.id !== old.id)!;
      assert.equal(made.state, 'enabled');

      const list = await runCli(['dataflow', 'list', '--json'], env);
      assert.deepEqual(
        list
          .json()
          .flows.map((f: any) => [f.template, f.id])
          .sort(),
        [
          ['accounts', old.id],
          ['accounts', made.id],
        ].sort(),
      );
      const human = await runCli(['dataflow', 'list'], env);
      assert.match(human.stdout + human.stderr, /Template accounts has 2 dataflows/);
      const dry = await runCli(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code', '--json'], env);
      assert.equal(dry.exitCode, 3, dry.stdout + dry.stderr);
      const steps = dry.json().plan.filter((s: any) => s.resource === 'dataflow');
      // The intent written before the POST, read on this run: the new flow is adopted, and the plan says so.
      const adopted = steps.find((s: any) => s.action === 'reuse');
      assert.match(adopted?.notes?.join(' ') ?? '', /adopted .*never heard the answer/, JSON.stringify(steps));
      assert.deepEqual(
        steps.map((s: any) => [s.action, s.id]).sort(),
        [
          ['delete', old.id],
          ['reuse', made.id],
        ].sort(),
      );

      const again = await runCli(['dataflow', 'create', '--template', file, '--yes', '--json'], env);
      assert.equal(again.exitCode, 0, again.stdout + again.stderr);
      assert.deepEqual(
        emu.state.flows.all().map((f: any) => [f.id, f.state]),
        [[made.id, 'enabled']],
      );
      const settled = await runCli(['dataflow', 'create', '--template', file, '--dry-run', '--exit-code'], env);
      assert.equal(settled.exitCode, 0, settled.stdout);
    } finally {
      await emu.close();
    }
  });
});
