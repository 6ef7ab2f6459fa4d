// Issue 14 ("what gh and terraform users expect"), point by point, through the real binary: in
// pipes (spawnCli) and, where a terminal matters, in a pseudo-terminal (ptyRun). Point 1 is
// readme.test.ts; points 4, 5 and the plan wording of 9 belong to the dataflow core.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cliEnv, spawnCli, tempHome, type CliResult } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';
import { plain, ptyRun } from '../helpers/pty.js';

type Emu = Emulator & { env: Record<string, string> };
type Env = Record<string, string | undefined>;
const ESC = '\u001b';

async function withDataflow(env: Env, template = 'accounts'): Promise<any> {
  const connected = await spawnCli(['connect', '--json'], env);
  assert.equal(connected.exitCode, 0, connected.stderr);
  const created = await spawnCli(['dataflow', 'create', '--template', template, '--json'], env);
  assert.equal(created.exitCode, 0, created.stderr);
  return created.json().dataflows[0];
}

const json = (r: CliResult) => r.json();

// Concurrent: the tests only read the shared flow, or put back what they change before awaiting others' output.
describe('issue 14, with a shared emulator', { concurrency: true }, () => {
  let emu: Emu;
  let env: Env;
  let flow: any;
  before(async () => {
    emu = await emulator({ runDurationMs: 50, sandboxes: ['prod', 'dev'] });
    env = cliEnv(emu.env, await tempHome());
    flow = await withDataflow(env);
  });
  after(() => emu.close());

  test('2. Zoho outside the US: authorize-url remembers region and redirect URI, its next command carries them, and token takes the whole redirect URL', async () => {
    const home = await tempHome();
    const e = cliEnv(emu.env, home, { ZOHO_ACCESS_TOKEN: undefined, ZOHO_REFRESH_TOKEN: undefined });
    const url = await spawnCli(
      ['zoho', 'authorize-url', '--region', 'eu', '--redirect-uri', 'https://example.com/callback'],
      e,
    );
    assert.equal(url.exitCode, 0, url.stderr);
    assert.match(
      url.stderr,
      /^warning: ZOHO_ACCOUNTS_URL \(http:\/\/127\.0\.0\.1:\d+\) overrides --region eu \(https:\/\/accounts\.zoho\.eu\)\.$/m,
    );
    assert.match(url.stderr, /Then: aep-zoho zoho token --region eu --redirect-uri https:\/\/example\.com\/callback/);
    const stored = JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8')).profiles.default.zoho;
    assert.equal(stored.region, 'eu');
    assert.equal(stored.redirectUri, 'https://example.com/callback');
    const redirect = (await fetch(url.stdout.trim(), { redirect: 'manual' })).headers.get('location')!;
    assert.match(redirect, /code=1000\..*accounts-server=/);
    const token = await spawnCli(['zoho', 'token', '--grant-token', redirect, '--json'], e);
    assert.equal(token.exitCode, 0, token.stderr);
    // The emulator is shared by concurrent tests: find this test's exchange by its code, not by being last.
    const code = new URL(redirect).searchParams.get('code');
    const exchange = emu.exchanges.find((x) => x.path === '/oauth/v2/token' && (x.body as any)?.code === code);
    assert.ok(exchange, `no token exchange carried the grant token ${code}`);
    assert.equal((exchange.body as any).redirect_uri, 'https://example.com/callback');
  });

  test('3. repeated flags: lists add up, single values take the last', async () => {
    const r = await spawnCli(
      [
        'dataflow',
        'create',
        '--template',
        'accounts',
        '--template',
        'contacts,leads',
        '--dry-run',
        '--json',
        '--sandbox',
        'nosuch',
        '--sandbox',
        'prod',
      ],
      env,
    );
    assert.equal(r.exitCode, 0, r.stderr);
    const names = new Set(json(r).plan.map((step: any) => step.name));
    for (const t of ['Accounts', 'Contacts', 'Leads'])
      assert.ok(
        [...names].some((n) => String(n).includes(t)),
        `plans ${t}`,
      );
    const regions = await spawnCli(['allowlist', '--region', 'va7', '--region', 'nld2', '--json'], {});
    assert.deepEqual(
      json(regions).regions.map((x: any) => x.region),
      ['nld2'],
    );
    const columns = await spawnCli(
      ['explore', 'Accounts', '--columns', 'id', '--columns', 'Account_Name', '--limit', '1', '--json'],
      env,
    );
    assert.deepEqual(Object.keys(json(columns).rows[0]), ['id', 'Account_Name']);
  });

  test('6. templates validate checks the table and columns online, names the closest column, and says when it was offline', async () => {
    const online = await spawnCli(['templates', 'validate', 'accounts', '--json'], env);
    assert.equal(json(online).checked, 'online');
    const dir = await tempHome();
    const file = join(dir, 'typo.json');
    const copy = JSON.parse(await readFile(new URL('../../templates/accounts.json', import.meta.url), 'utf8'));
    copy.mappings[0].source = 'Acount_Name';
    await writeFile(file, JSON.stringify(copy));
    const typo = await spawnCli(['templates', 'validate', file, '--json'], env);
    assert.equal(typo.exitCode, 2);
    assert.match(
      json(typo).error.message,
      /\/mappings\/0\/source: no column 'Acount_Name' in Accounts \(closest: 'Account_Name'\)/,
    );
    const offline = await spawnCli(['templates', 'validate', file, '--offline'], env);
    assert.equal(offline.exitCode, 0);
    assert.match(
      offline.stderr,
      /Offline \(--offline\): the format and destinations were checked, not the table or its columns/,
    );
    assert.match(offline.stderr, /Destinations checked against Adobe's XDM library: the class and \d+ field groups?\./);
  });

  test('7. colour per stream: a redirected stdout gets none while the terminal keeps it; NO_COLOR and TERM=dumb turn it off, FORCE_COLOR on', async () => {
    const dir = await tempHome();
    const r = await ptyRun([], env, {
      shell: `$AEP_ZOHO allowlist --region va7 > ${dir}/out.txt; $AEP_ZOHO dataflow list --sandbox nosuch`,
    });
    assert.ok(!(await readFile(join(dir, 'out.txt'), 'utf8')).includes(ESC), 'no escape codes in the file');
    assert.match(r.output, /\u001b\[31mError:/, 'stderr on the terminal is coloured');
    const list = await ptyRun(['dataflow', 'list'], env);
    assert.ok(list.output.includes(`${ESC}[1m`), 'a terminal stdout is coloured');
    for (const off of [{ NO_COLOR: '1' }, { TERM: 'dumb' }]) {
      const quiet = await ptyRun(['dataflow', 'list'], { ...env, ...off });
      assert.ok(!/\u001b\[[0-9;]*m/.test(quiet.output), `no colour with ${JSON.stringify(off)}`);
    }
    const forced = await spawnCli(['allowlist', '--region', 'va7'], { FORCE_COLOR: '1' });
    assert.ok(forced.stdout.includes(`${ESC}[1m`));
  });

  test('8. pipes: tab-separated rows with every column, notes on stderr, --quiet drops them; a terminal gets a table at its width (COLUMNS too)', async () => {
    const piped = await spawnCli(['dataflow', 'list'], env);
    assert.equal(piped.exitCode, 0);
    const [row] = piped.stdout.trimEnd().split('\n');
    assert.equal(piped.stdout.trimEnd().split('\n').length, 1, 'one row, no header, no note');
    assert.equal(row.split('\t').length, 7, 'every column');
    assert.equal(row.split('\t')[5], flow.flowId);
    assert.ok(!/[│┌─]/.test(piped.stdout));
    assert.match(piped.stderr, /1 dataflow\(s\) in sandbox prod/);
    const quiet = await spawnCli(['dataflow', 'list', '--quiet'], env);
    assert.equal(quiet.stderr, '');
    const narrow = await ptyRun(['dataflow', 'list'], env, { cols: 200 });
    assert.match(plain(narrow.output), /│ Template .*│ Name/);
    const columns = await ptyRun(['dataflow', 'list'], { ...env, COLUMNS: '60' }, { cols: 200 });
    for (const line of plain(columns.output)
      .split('\n')
      .filter((l) => l.includes('│')))
      assert.ok([...line].length <= 60, `within COLUMNS=60: ${line}`);
    assert.match(plain(columns.output), /hidden at this width/);
  });

  test('9. at 60 columns lines wrap at words; a dry-run preview record is pretty-printed', async () => {
    const r = await ptyRun(
      ['dataflow', 'create', '--template', 'contacts', '--dry-run'],
      { ...env, NO_COLOR: '1' },
      { cols: 60 },
    );
    assert.equal(r.exitCode, 0, r.output);
    const text = plain(r.output);
    assert.match(text, /^ {2}\{\n {4}"/m, `one field a line:\n${text}`);
    const words = text
      .split('\n')
      .filter((line) => !line.startsWith('  ') && !/^[✔❯]/.test(line.trim()) && line.length >= 50);
    for (const line of words) assert.ok(!/\w$/.test(line) || line.length <= 60, `wrapped: ${line}`);
    const status = await ptyRun(
      ['zoho', 'authorize-url', '--redirect-uri', 'https://example.com/callback'],
      { ...env, AEP_ZOHO_HOME: await tempHome(), NO_COLOR: '1' },
      { cols: 60 },
    );
    const lines = plain(status.output).split('\n');
    assert.ok(lines.some((line) => line.startsWith('Then: aep-zoho zoho token')));
    for (const line of lines.filter((l) => !l.startsWith('http')))
      assert.ok([...line].length <= 60, `wrapped at 60: ${line}`);
  });

  test('11. JSON: flowId, datasetId and connectionId everywhere; errors once, on stdout, with a code', async () => {
    const status = json(await spawnCli(['dataflow', 'status', 'accounts', '--json'], env));
    assert.equal(status.flowId, flow.flowId);
    assert.equal(status.datasetId, flow.datasetId);
    assert.equal(status.connectionId, status.baseConnectionId);
    const list = json(await spawnCli(['dataflow', 'list', '--json'], env));
    assert.equal(list.flows[0].flowId, flow.flowId);
    const bad = await spawnCli(['dataflow', 'status', 'nope', '--json'], env);
    assert.equal(bad.exitCode, 2);
    assert.equal(json(bad).error.code, 'USAGE');
    assert.equal(bad.stderr, '', 'nothing more on stderr');
    assert.deepEqual(json(await spawnCli(['--version', '--json'], {})), {
      version: JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version,
    });
    assert.equal(json(await spawnCli(['completion', 'fish', '--json'], {})).shell, 'fish');
  });

  test('13. hints carry the --profile and --sandbox typed; after zoho token, connect --update-credentials when the connection exists', async () => {
    const missing = await spawnCli(['connect', '--profile', 'staging', '--json'], {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: await tempHome(),
      ...emu.env,
    });
    assert.match(json(missing).error.hint, /'aep-zoho init --profile staging'/);
    const home = await tempHome();
    const e = cliEnv(emu.env, home, { ZOHO_ACCESS_TOKEN: undefined, ZOHO_REFRESH_TOKEN: undefined });
    const authorize = await spawnCli(
      ['zoho', 'authorize-url', '--redirect-uri', 'https://example.com/callback', '--profile', 'p2', '--json'],
      e,
    );
    const first = await fetch(json(authorize).url, { redirect: 'manual' });
    assert.equal(
      (await spawnCli(['zoho', 'token', '--grant-token', first.headers.get('location')!, '--profile', 'p2'], e))
        .exitCode,
      0,
    );
    assert.equal((await spawnCli(['connect', '--profile', 'p2', '--sandbox', 'dev', '--json'], e)).exitCode, 0);
    const again = await fetch(json(authorize).url, { redirect: 'manual' });
    const token = await spawnCli(
      ['zoho', 'token', '--grant-token', again.headers.get('location')!, '--profile', 'p2', '--sandbox', 'dev'],
      e,
    );
    assert.match(token.stderr, /Next: aep-zoho connect --update-credentials --profile p2 --sandbox dev/);
  });

  test('14. an empty --sandbox or --profile is exit 2; an unknown sandbox is "Sandbox \'x\' not found", dataflow list included', async () => {
    for (const flag of ['--sandbox', '--profile']) {
      const r = await spawnCli(['dataflow', 'list', flag, '', '--json'], env);
      assert.equal(r.exitCode, 2);
      assert.match(json(r).error.message, new RegExp(`^${flag} is empty\\.$`));
    }
    for (const argv of [['dataflow', 'list'], ['explore'], ['dataflow', 'status', 'accounts']]) {
      const r = await spawnCli([...argv, '--sandbox', 'qa', '--json'], env);
      assert.equal(r.exitCode, 1, argv.join(' '));
      assert.equal(json(r).error.message, "Sandbox 'qa' not found in this organization.", argv.join(' '));
    }
  });

  test('16. help: alone, for a group, `help <command>`; own options first; examples to copy; did-you-mean for flags and stray words', async () => {
    const alone = await spawnCli([], {});
    assert.equal(alone.exitCode, 0);
    assert.match(alone.stdout, /^Commands:/m);
    const group = await spawnCli(['dataflow'], {});
    assert.equal(group.exitCode, 0);
    assert.match(group.stdout, /aep-zoho dataflow create/);
    assert.match(group.stdout, /Examples:/);
    const help = await spawnCli(['help', 'dataflow', 'create'], {});
    assert.equal(help.exitCode, 0);
    assert.ok(
      help.stdout.indexOf('--template') < help.stdout.indexOf('Global options:'),
      'own options before the global block',
    );
    assert.match(
      help.stdout,
      /^ {2}# four dataflows in one run, concurrently\n {2}aep-zoho dataflow create --template accounts,contacts,leads,deals$/m,
    );
    const dryrun = await spawnCli(['dataflow', 'create', '--template', 'accounts', '--dryrun'], {});
    assert.equal(dryrun.exitCode, 2);
    assert.match(dryrun.stderr, /Did you mean --dry-run\?/);
    const stray = await spawnCli(['dataflow', 'create', 'accounts'], {});
    assert.equal(stray.exitCode, 2);
    assert.match(stray.stderr, /Did you mean 'aep-zoho dataflow create --template accounts'\?/);
  });

  test('18. one time format in human output; dataflow list shows the next run; explore --columns suggests the closest', async () => {
    const auth = await spawnCli(['auth', 'status'], env);
    assert.match(auth.stdout, /valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const list = await spawnCli(['dataflow', 'list'], env);
    const cells = list.stdout.split('\n')[0].split('\t');
    assert.match(cells[2], /^\w+ \d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'last run');
    assert.match(cells[3], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/, 'next run');
    assert.ok(json(await spawnCli(['dataflow', 'list', '--json'], env)).flows[0].nextRunAt);
    const columns = await spawnCli(['explore', 'Accounts', '--columns', 'Acount_Name', '--json'], env);
    assert.equal(columns.exitCode, 2);
    assert.match(json(columns).error.hint, /Did you mean 'Account_Name'\?/);
  });

  test('issue 13.4: control characters in server-provided names are escaped in human output', async () => {
    const mine = emu.state.flows.get(flow.flowId)!;
    const name = mine.name;
    mine.name = 'evil\u001b]0;owned\u0007\u001b[2J\rname';
    try {
      for (const r of [
        await ptyRun(['dataflow', 'status', 'accounts'], env),
        await ptyRun(['dataflow', 'list'], env, { cols: 200 }),
      ]) {
        assert.ok(
          !r.output.includes('\u001b]0;') && !r.output.includes('\u001b[2J') && !r.output.includes('\u0007'),
          'no raw escape from the server',
        );
        assert.match(r.output, /evil\\e\]0;owned/);
      }
    } finally {
      mine.name = name;
    }
  });

  test('issue 12: ISO date strings are read where epoch numbers are expected', async () => {
    const mine = emu.state.flows.get(flow.flowId)!;
    const params = { ...mine.scheduleParams };
    await spawnCli(['dataflow', 'runs', 'accounts', '--json'], env); // runs are made when read
    const run = emu.state.runs.all().find((r) => r.flowId === flow.flowId)!;
    const duration = { ...run.metrics.durationSummary };
    mine.scheduleParams = { ...params, startTime: '2026-01-02T03:04:00Z' };
    run.metrics.durationSummary = {
      startedAtUTC: '2026-01-02T03:04:00.000Z',
      completedAtUTC: '2026-01-02T03:05:30.000Z',
    };
    try {
      const s = json(await spawnCli(['dataflow', 'status', 'accounts', '--json'], env));
      assert.equal(s.schedule.startTime, '2026-01-02T03:04:00.000Z');
      const runs = json(await spawnCli(['dataflow', 'runs', 'accounts', '--json'], env));
      const shown = runs.runs.find((r: any) => r.id === run.id);
      assert.equal(shown.startedAt, '2026-01-02T03:04:00.000Z');
      assert.equal(shown.durationMs, 90_000);
    } finally {
      mine.scheduleParams = params;
      run.metrics.durationSummary = duration;
    }
  });
});

describe('issue 14, runs that fail (points 10, 15; issue 12 point 6)', () => {
  test("10. a failed run is red with its codes, the row-level causes' record counts and the hint, on a terminal too; status shows both levels", async () => {
    const emu = await emulator({ runDurationMs: 300, runOutcome: 'failed' });
    try {
      const env = cliEnv(emu.env, await tempHome());
      await withDataflow(env);
      const r = await ptyRun(['dataflow', 'runs', 'accounts', '--watch'], env, { cols: 160 });
      assert.equal(r.exitCode, 1, r.output);
      assert.match(r.output, /\u001b\[31m✖ Run .* failed: 48 of 48 record\(s\) failed, 0 written\./);
      assert.ok(!/✔ Run .* failed/.test(plain(r.output)), 'no green tick on a failed run');
      const text = plain(r.output).replace(/\s+/g, ' ');
      assert.match(text, /CONNECTOR-2001-500 Error occurred at promotion activity/);
      // Adobe's example gives the ingest error its count in the message, the mapper error a recordCount.
      assert.match(text, /INGEST-1212-400 Encountered 48 errors .*\[promotionActivity\]/);
      assert.match(text, /MAPPER-3700-400 .*\(48 records\)/);
      assert.match(text, /Hint: Adobe's per-record diagnostics/);
      const status = await spawnCli(['dataflow', 'status', 'accounts'], env);
      assert.match(status.stdout, /CONNECTOR-2001-500: Error occurred at promotion activity\./);
      assert.match(status.stdout, /INGEST-1212-400: Encountered 48 errors[^\n]*\n.*MAPPER-3700-400: .*\(48 records\)/s);
      const runs = json(await spawnCli(['dataflow', 'runs', 'accounts', '--json'], env));
      assert.deepEqual(
        runs.runs[0].errors.map((e: any) => [e.code, e.records]),
        [
          ['CONNECTOR-2001-500', undefined],
          ['INGEST-1212-400', undefined],
          ['MAPPER-3700-400', 48],
        ],
      );
    } finally {
      await emu.close();
    }
  });

  test('15. Ctrl-C on runs --watch and on the emulator gets its own message, not "run the same command again"', async () => {
    const emu = await emulator({ runDurationMs: 60_000 });
    try {
      const env = cliEnv(emu.env, await tempHome());
      await withDataflow(env);
      let sent = false;
      const watch = await ptyRun(
        ['dataflow', 'runs', 'accounts', '--watch'],
        { ...env, NO_COLOR: '1' },
        {
          onData: (out, pty) => {
            if (!sent && /inProgress/.test(out)) {
              sent = true;
              pty.write('\u0003');
            }
          },
        },
      );
      assert.equal(watch.exitCode, 130);
      assert.match(
        plain(watch.output).replace(/\s+/g, ' '),
        /Error: Stopped watching\. Hint: The run goes on in Adobe; see how it ends with 'aep-zoho dataflow runs accounts'\./,
      );
      assert.ok(!/run the same command again/.test(watch.output));
    } finally {
      await emu.close();
    }
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => /listening/.test(String(chunk)) && resolve()),
    );
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGINT');
    });
    assert.equal(code, 130);
    assert.equal(stderr, 'Error: Emulator stopped.\n');
  });
});

describe('12. completion: the answers themselves', () => {
  const ask = async (...words: string[]) =>
    (await spawnCli(['--get-yargs-completions', 'aep-zoho', ...words], { PATH: process.env.PATH })).stdout
      .split('\n')
      .filter(Boolean);

  test('commands, subcommands, options, template names and values', async () => {
    assert.ok((await ask('')).includes('dataflow'));
    assert.deepEqual(await ask('dataflow', ''), ['create', 'list', 'status', 'runs', 'run', 'enable', 'disable']);
    assert.deepEqual(await ask('dataflow', 'create', '--dr'), ['--dry-run']);
    assert.deepEqual(await ask('dataflow', 'create', '--template', ''), ['accounts', 'contacts', 'deals', 'leads']);
    assert.deepEqual(await ask('dataflow', 'create', '--template', 'accounts,c'), ['accounts,contacts']);
    assert.deepEqual(await ask('dataflow', 'create', '--frequency', ''), ['once', 'minute', 'hour', 'day', 'week']);
    assert.deepEqual(await ask('zoho', 'token', '--region', 'e'), ['eu']);
    assert.deepEqual(await ask('allowlist', '--region', ''), ['va7', 'nld2', 'aus5', 'can2']);
    assert.deepEqual(await ask('templates', 'show', 'co'), ['contacts']);
    assert.deepEqual(await ask('completion', ''), ['bash', 'zsh', 'fish']);
    assert.deepEqual(await ask('init', '--from-console', ''), [], 'a file is due: the shell completes file names');
  });

  test('the bash script, sourced in bash, completes through the binary', async () => {
    const dir = await tempHome();
    await writeFile(join(dir, 'aep-zoho'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const script = (await spawnCli(['completion', 'bash'], {})).stdout;
    const run = (line: string) =>
      new Promise<string>((resolve) => {
        const words = line.split(' ');
        const program = `source /dev/stdin <<'EOS'\n${script}\nEOS\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _aep_zoho_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
        const child = spawn('bash', ['--noprofile', '--norc', '-c', program], {
          env: { PATH: `${dir}:${process.env.PATH}` },
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk));
        child.on('close', () => resolve(out));
      });
    assert.equal((await run('aep-zoho dataflow cr')).trim(), 'create');
    assert.equal((await run('aep-zoho dataflow create --template le')).trim(), 'leads');
    for (const shell of ['zsh', 'fish'])
      assert.match((await spawnCli(['completion', shell], {})).stdout, /--get-yargs-completions/);
  });
});

describe('17. emulator flags: a retired Zoho source, failing runs, more sandboxes, strict credentials', () => {
  async function startEmulator(flags: string[]): Promise<{ child: ReturnType<typeof spawn>; started: any }> {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--json', ...flags], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = await new Promise<any>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        try {
          resolve(JSON.parse(out));
        } catch {
          /* not whole yet */
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    return { child, started };
  }

  test('--retired-source, --sandboxes, --fail-runs and --strict-credentials reach the emulator', async () => {
    const { child, started } = await startEmulator([
      '--retired-source',
      '--sandboxes',
      'prod,dev',
      '--fail-runs',
      '--strict-credentials',
    ]);
    try {
      assert.deepEqual(started.options.sandboxes, ['prod', 'dev']);
      assert.equal(started.options.runOutcome, 'failed');
      assert.equal(started.options.strictCredentials, true);
      assert.equal(started.env.ZOHO_ACCESS_TOKEN, undefined, 'strict: Zoho tokens come from the emulator');
      const env = { PATH: process.env.PATH, AEP_ZOHO_HOME: await tempHome(), ...started.env };
      const doctor = await spawnCli(['doctor', '--sandbox', 'dev', '--json'], env);
      assert.equal(doctor.exitCode, 1);
      const checks = Object.fromEntries(json(doctor).checks.map((c: any) => [c.name, c.status]));
      assert.equal(checks['Org and sandbox'], 'pass', 'the dev sandbox exists');
      assert.equal(checks['Zoho CRM source'], 'fail', 'the source is retired');
      const wrong = await spawnCli(['auth', 'status', '--json'], {
        ...env,
        AEP_ZOHO_HOME: await tempHome(),
        AEP_CLIENT_SECRET: 'not-the-printed-one',
      });
      assert.equal(wrong.exitCode, 1, 'strict: only the printed credentials');
    } finally {
      child.kill('SIGINT');
    }
  });
});
