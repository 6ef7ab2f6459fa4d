// A test's own emulator and temp home, and `run`: the real binary in that home, asserting its exit
// code (with the command and its output in the failure message). Both go when the test ends.
import { strict as assert } from 'node:assert';
import { rm } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { cliEnv, spawnCli, tempHome, type CliResult } from './cli.js';
import { emulator } from './emulator.js';

export async function binaryWorld(t: TestContext, extraEnv: Record<string, string> = { NO_COLOR: '1' }) {
  const emu = await emulator();
  t.after(() => emu.close());
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const env = cliEnv(emu.env, home, extraEnv);
  const run = async (args: string[], code = 0): Promise<CliResult> => {
    const r = await spawnCli(args, env);
    assert.equal(r.exitCode, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r;
  };
  return { emu, home, env, run };
}
