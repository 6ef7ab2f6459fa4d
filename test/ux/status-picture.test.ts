// `dataflow status` on a terminal draws the last runs (a Zoho-source dataflow) or the batches AEP
// made of the last sync passes (an http-api dataflow) as a line of bars, records per run, failures
// marked (issue 24.15); never with --json or off a terminal. Through the real binary in a
// pseudo-terminal, against the emulator.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { cliEnv, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';
import { plain, ptyRun } from '../helpers/pty.js';
import { syncWorld } from '../sync/setup.js';

const HOUR = 3_600_000;
const BARS = /[▁▂▃▄▅▆▇█✗·]/;

test('a Zoho-source dataflow: the last runs as bars, oldest first, a failed run a ✗, in a terminal only', async (t) => {
  let clock = Date.now();
  const emu = await emulator({ now: () => clock, runDurationMs: 1000 });
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv(emu.env, home);
  assert.equal((await spawnCli(['connect', '--json'], env)).exitCode, 0);
  const made = await spawnCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
  assert.equal(made.exitCode, 0, made.stderr);
  const flowId = made.json().dataflows[0].flowId;
  // Six hours of an hourly schedule: the runs are made (and settled) when Flow Service is read.
  clock += 6 * HOUR + 10 * 60_000;
  assert.equal((await spawnCli(['dataflow', 'runs', 'accounts', '--json'], env)).exitCode, 0);
  const runs = emu.state.runs
    .all()
    .filter((r) => r.flowId === flowId)
    .sort((a, b) => a.createdAt - b.createdAt);
  assert.ok(runs.length >= 6, `${runs.length} runs`);
  // Records per run, oldest first: 10, 20, …; the third run failed.
  runs.forEach((run, i) => {
    run.metrics.recordSummary.outputRecordCount = 10 * (i + 1);
    run.metrics.recordSummary.failedRecordCount = 0;
  });
  runs[2].metrics.statusSummary.status = 'failed';
  const shown = Math.min(runs.length, 30);

  const tty = await ptyRun(['dataflow', 'status', 'accounts'], { ...env, NO_COLOR: '1' }, { cols: 100 });
  assert.equal(tty.exitCode, 0, tty.output);
  const line = plain(tty.output)
    .split('\n')
    .find((l) => /^ {2}runs {9}/.test(l));
  assert.ok(line, plain(tty.output));
  const bars = /^ {2}runs {9}(\S+) {2}(.*)$/.exec(line)!;
  assert.equal([...bars[1]].length, shown, 'one mark per run');
  assert.equal([...bars[1]][2], '✗', 'the failed run');
  assert.equal([...bars[1]].at(-1), '█', 'the newest run brought the most records');
  assert.ok('▁▂'.includes([...bars[1]][0]), 'the oldest brought the fewest');
  assert.match(
    bars[2],
    new RegExp(`^last ${shown} runs, oldest first, up to ${10 * runs.length} records; ✗ 1 failed$`),
  );

  // Off a terminal and with --json: no picture (and --json has no runs beyond lastRun).
  const piped = await spawnCli(['dataflow', 'status', 'accounts'], env);
  assert.equal(piped.exitCode, 0);
  assert.doesNotMatch(piped.stdout + piped.stderr, BARS);
  assert.doesNotMatch(piped.stdout, /^ {2}runs /m);
  const json = await ptyRun(['dataflow', 'status', 'accounts', '--json'], env, { cols: 100 });
  const doc = JSON.parse(plain(json.output).slice(plain(json.output).indexOf('{')));
  assert.equal(doc.recentRuns, undefined);
  assert.equal(doc.lastRun.id, runs.at(-1)!.id);
});

test('an http-api dataflow: the batches of the last passes as bars, a failed batch a ✗, one with failed records red', async (t) => {
  const w = await syncWorld(t, { emulator: { ingestionBatchMs: 1000 } });
  t.after(() => rm(w.home, { recursive: true, force: true }));
  const synced = await w.cli(['sync', '--json']);
  assert.equal(synced.exitCode, 0, synced.stdout + synced.stderr);
  const records = w.emu.state.streamed.filter((r) => r.dataSetId === w.dataSetId);
  assert.ok(records.length >= 6, `${records.length} records`);
  // Spread the pass's records over four one-second batches, 40 s ago (inside the pass's window):
  // batch sizes 1, 2, 1, the rest; every record of the third failed, one of the last too.
  const start = Math.floor((Date.now() - 40_000) / 1000) * 1000;
  const group = (i: number) => (i === 0 ? 0 : i <= 2 ? 1 : i === 3 ? 2 : 3);
  records.forEach((r, i) => {
    r.receivedTimeMs = start + group(i) * 1000 + 10;
    r.errors = null;
  });
  records[3].errors = [{ code: 'INGEST-1212-400', message: 'bad value' }];
  records[4].errors = [{ code: 'INGEST-1212-400', message: 'bad value' }];
  const entry = await w.entry();
  assert.ok(entry.lastPassAt && Date.parse(entry.lastPassAt) - 60_000 < start, 'the batches are in the pass');

  const { NO_COLOR: _off, ...coloured } = w.env; // the sync world turns colour off
  const tty = await ptyRun(['dataflow', 'status', 'accounts'], coloured, { cols: 100 });
  assert.equal(tty.exitCode, 0, tty.output);
  const text = plain(tty.output);
  const line = text.split('\n').find((l) => /^ {2}batches {6}/.test(l));
  assert.ok(line, text);
  const bars = /^ {2}batches {6}(\S+) {2}(.*)$/.exec(line)!;
  const marks = [...bars[1]];
  assert.equal(marks.length, 4, 'one mark per batch');
  assert.equal(marks[2], '✗', 'the batch whose records all failed');
  assert.equal(marks[3], '█', 'the last batch brought the most records');
  assert.equal(marks[0], '▁');
  assert.match(bars[2], /^last 4 batches, oldest first, up to [\d,]+ records; ✗ 1 failed, 1 partly \(red\)$/);
  // The partly failed batch is red on a colour terminal.
  assert.match(tty.output, /\u001b\[31m[▁▂▃▄▅▆▇█]\u001b\[39m/);

  const piped = await w.cli(['dataflow', 'status', 'accounts']);
  assert.equal(piped.exitCode, 0, piped.stderr);
  assert.doesNotMatch(piped.stdout, /^ {2}batches /m);
  assert.doesNotMatch(piped.stdout, BARS);
});
