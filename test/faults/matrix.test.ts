// The fault matrix: `connect` then `dataflow create --template accounts`, with one fault injected
// at each request position k of the clean run's sequence, for every fault kind. A failed command
// is run again (at most twice more), as a user would; whatever happened, the emulator must end with
// exactly one of each resource, all linked, and the state file must name exactly those.
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { emulator, faultAt, MATRIX_FAULTS, type Emulator, type MatrixFault } from '../helpers/emulator.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';

type Emu = Emulator & { env: Record<string, string> };
const COMMANDS = [['connect', '--json'], ['dataflow', 'create', '--template', 'accounts', '--json']];
/** Cases run at once, each with its own emulator and home (most of a case's time is waiting). */
const POOL = 8;

/** Runs both commands, each up to three times: the failures left, and the failed attempts. */
async function runJob(env: Record<string, string | undefined>): Promise<{ failed: string[]; reruns: string[] }> {
  const reruns: string[] = [];
  for (const argv of COMMANDS) {
    let ok = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      const r = await runCli(argv, env);
      ok = r.exitCode === 0;
      if (!ok) reruns.push(`${argv.slice(0, 2).join(' ')} exit ${r.exitCode}: ${r.stderr.trim().split('\n').filter((l) => l.startsWith('Error:')).join(' | ')}`);
    }
    if (!ok) return { failed: [reruns.at(-1)!], reruns };
  }
  return { failed: [], reruns };
}

/** Exactly one of each resource, every link in place, and a state file that names exactly those. */
async function invariants(emu: Emu, home: string): Promise<string[]> {
  const problems: string[] = [];
  const s = emu.state;
  const expected: Record<string, number> = { connections: 1, sourceConnections: 1, targetConnections: 1, flows: 1, dataSets: 1, schemas: 1, fieldGroups: 1, mappingSets: 1, classes: 0, descriptors: 0 };
  const counts = s.counts();
  for (const [kind, n] of Object.entries(expected)) if (counts[kind] !== n) problems.push(`${counts[kind]} ${kind}, expected ${n}`);
  if (problems.length) return problems;

  const [connection] = s.connections.all();
  const [source] = s.sourceConnections.all();
  const [target] = s.targetConnections.all();
  const [flow] = s.flows.all();
  const [dataset] = s.dataSets.all();
  const [schema] = s.schemas.all();
  const [fieldGroup] = s.fieldGroups.all();
  const [mappingSet] = s.mappingSets.all();
  const link = (ok: boolean, what: string) => ok || problems.push(what);
  link(source.baseConnectionId === connection.id, 'source connection not on the base connection');
  link(JSON.stringify(flow.sourceConnectionIds) === JSON.stringify([source.id]), 'flow does not use the source connection');
  link(JSON.stringify(flow.targetConnectionIds) === JSON.stringify([target.id]), 'flow does not use the target connection');
  link(target.params?.dataSetId === dataset.id, 'target connection not on the dataset');
  link(target.data?.schema?.id === schema.$id, 'target connection not on the schema');
  link(dataset.schemaRef?.id === schema.$id, 'dataset not on the schema');
  link(flow.transformations?.find((t: any) => t.name === 'Mapping')?.params?.mappingId === mappingSet.id, 'flow does not use the mapping set');
  link(mappingSet.outputSchema?.schemaRef?.id === schema.$id, 'mapping set not on the schema');
  link((schema.allOf ?? []).some((r: any) => r.$ref === fieldGroup.$id), 'schema does not include the field group');

  let file: any;
  try {
    file = JSON.parse(await readFile(join(home, 'state', 'default.json'), 'utf8'));
  } catch (error) {
    return [...problems, `state file: ${(error as Error).message}`];
  }
  const state = file.sandboxes?.prod ?? {};
  link(state.connection?.id === connection.id, `state connection ${state.connection?.id} ≠ ${connection.id}`);
  if (state.tables) link(state.tables.connectionId === connection.id, 'state table listing is for another connection');
  const saved = state.dataflows?.accounts ?? {};
  const want: Record<string, string> = {
    fieldGroup: fieldGroup.$id,
    schema: schema.$id,
    dataset: dataset.id,
    sourceConnection: source.id,
    targetConnection: target.id,
    mappingSet: mappingSet.id,
    flow: flow.id,
  };
  link(JSON.stringify(Object.keys(saved).sort()) === JSON.stringify(Object.keys(want).sort()), `state names ${Object.keys(saved).sort().join(',')}`);
  for (const [kind, id] of Object.entries(want)) link(saved[kind]?.id === id, `state ${kind} ${saved[kind]?.id} ≠ ${id}`);
  link(Object.keys(file.sandboxes ?? {}).join() === 'prod', 'state holds other sandboxes');
  return problems;
}

async function runCase(k: number, kind: MatrixFault): Promise<{ problems: string[]; fired: number; reruns: string[] }> {
  const emu = await emulator();
  try {
    faultAt(emu, k, kind);
    const home = await tempHome();
    const env = cliEnv(emu.env, home, kind === 'timeout' ? { AEP_ZOHO_TIMEOUT_MS: '300' } : {});
    const { failed, reruns } = await runJob(env);
    const problems = failed.length ? failed : await invariants(emu, home);
    if (emu.unmatched.length) problems.push(`unmatched requests: ${emu.unmatched.join(', ')}`);
    return { problems, fired: emu.faults.fired.length, reruns };
  } finally {
    await emu.close();
  }
}

/** Runs tasks with at most `size` in flight. */
async function pool<T>(size: number, jobs: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, jobs.length) }, async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }));
  return results;
}

describe('fault matrix: connect + dataflow create --template accounts', () => {
  let n = 0;
  before(async () => {
    // The clean run: its request count is the matrix's width, and it must itself converge.
    const emu = await emulator();
    try {
      const home = await tempHome();
      assert.deepEqual(await runJob(cliEnv(emu.env, home)), { failed: [], reruns: [] });
      assert.deepEqual(await invariants(emu, home), []);
      n = emu.faults.seen;
    } finally {
      await emu.close();
    }
  });

  for (const kind of Object.keys(MATRIX_FAULTS) as MatrixFault[]) {
    test(`${kind} at every request`, async (t) => {
      const started = Date.now();
      const results = await pool(POOL, Array.from({ length: n }, (_, i) => () => runCase(i + 1, kind)));
      const failures = results.map((r, i) => (r.problems.length ? `k=${i + 1}: ${r.problems.join('; ')}` : '')).filter(Boolean);
      const fired = results.filter((r) => r.fired > 0).length;
      const reruns = results.map((r, i) => (r.reruns.length ? `k=${i + 1}: ${r.reruns.join('; ')}` : '')).filter(Boolean);
      t.diagnostic(`${kind}: ${n} positions, fault fired in ${fired}, ${reruns.length} needed a re-run, ${failures.length} failed, ${Date.now() - started} ms`);
      for (const line of reruns) t.diagnostic(`re-run ${line}`);
      assert.equal(fired, n, 'the fault fired at every position');
      assert.deepEqual(failures, []);
    });
  }
});
