// Completion answers for words that name a command go through that command's builder, where yargs
// prints the answer itself and never calls back: the binary used to end with exit code 13 (an
// unsettled await) and an in-process main() never resolved. Now both answer and finish.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { runCli, spawnCli } from '../helpers/cli.js';

test('the binary answers a subcommand completion and exits 0', async () => {
  const words = ['--get-yargs-completions', 'aep-zoho', 'dataflow', 'cr'];
  const r = await spawnCli(words, { PATH: process.env.PATH });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, 'create\n');
  const nested = await spawnCli([...words.slice(0, 3), 'create', '--template', 'acc'], { PATH: process.env.PATH });
  assert.deepEqual([nested.exitCode, nested.stdout, nested.stderr], [0, 'accounts\n', '']);
});

// A regression hangs rather than fails: the timeout turns it into a failure.
test('main() resolves with the answer in-process, top-level and nested alike', { timeout: 60_000 }, async () => {
  for (const [words, expected] of [
    [['te'], 'templates\n'],
    [['templates', 'show', 'co'], 'contacts\n'],
    [['zoho', 'token', '--region', 'e'], 'eu\n'],
  ] as const) {
    const r = await runCli(['--get-yargs-completions', 'aep-zoho', ...words], { PATH: process.env.PATH });
    assert.deepEqual([r.exitCode, r.stdout], [0, expected], words.join(' '));
  }
});
