// connect --via http-api and dataflow create --via http-api accept only an inlet sync would post to
// (issue 21.2, the rule of src/aep/inlet.ts: https on adobedc.net, or the configured Platform
// origin): a base connection whose inlet Platform's answer puts on another host, or plain http, is
// refused with INLET_REFUSED naming the URL, and nothing is planned or made for it.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { processLockOwner } from '../../src/cli/context.js';
import { StateStore } from '../../src/config/state.js';
import { cliEnv, runCli, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator } from '../helpers/emulator.js';

const OTHER = 'http://127.0.0.1:9'; // never contacted: the refusal comes before any request to it

test('connect --via http-api refuses an inlet on another host over plain http: exit 1, INLET_REFUSED, the URL named, no via recorded', async (t) => {
  const emu = await emulator({ inletOrigin: OTHER });
  t.after(() => emu.close());
  const home = await tempHome();
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);

  const r = await runCli(['connect', '--via', 'http-api', '--json'], env);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  const { error } = r.json();
  assert.equal(error.code, 'INLET_REFUSED');
  assert.match(
    error.message,
    /^aep-zoho does not send records or the IMS token to the inlet URL http:\/\/127\.0\.0\.1:9\/collection\/\S+: it is plain http, not https, on 127\.0\.0\.1/,
  );
  assert.match(error.hint, /AEP_PLATFORM_URL is Adobe's .* then run 'aep-zoho connect --via http-api' again\./);
  // The connection was made (Adobe made the inlet with it), but this profile does not follow http-api on it.
  assert.equal((await new StateStore(home, 'default', { owner: processLockOwner() }).read('prod')).via, undefined);

  const human = await spawnCli(['connect', '--via', 'http-api'], env);
  assert.equal(human.exitCode, 1);
  assert.match(
    human.stderr,
    /^Error: aep-zoho does not send records or the IMS token to the inlet URL http:\/\/127\.0\.0\.1:9\/collection\//m,
  );
  assert.match(human.stderr, /^Hint: Adobe's inlets are https URLs on adobedc\.net/m);
});

test('dataflow create --via http-api on a connection whose inlet is not Adobe’s: exit 1, INLET_REFUSED, nothing made, dry run included', async (t) => {
  const emu = await emulator();
  t.after(() => emu.close());
  const home = await tempHome();
  const env = cliEnv({ ...emu.env, ZOHO_ENDPOINT: emu.url }, home);
  const connect = await runCli(['connect', '--via', 'http-api', '--json'], env);
  assert.equal(connect.exitCode, 0, connect.stdout + connect.stderr);
  // Platform now answers with an inlet on another host (a proxy rewriting answers, say).
  const connection = emu.state.connections.get(connect.json().connectionId)!;
  connection.auth.params.inletUrl = `${OTHER}/collection/abc`;

  for (const args of [
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--dry-run', '--json'],
    ['dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--json'],
  ]) {
    const r = await runCli(args, env);
    assert.equal(r.exitCode, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    const { error } = r.json();
    assert.equal(error.code, 'INLET_REFUSED');
    assert.match(error.message, /the inlet URL http:\/\/127\.0\.0\.1:9\/collection\/abc: it is plain http/);
    assert.match(error.hint, /'aep-zoho dataflow create --via http-api' again\. No resource was changed\./);
  }
  assert.equal(emu.state.flows.all().length, 0, 'no dataflow');
  assert.equal(emu.state.dataSets.all().length, 0, 'no dataset');
  assert.equal(emu.state.schemas.all().length, 0, 'no schema');

  // Back on the Platform origin (the emulator's own inlet): the same command goes through.
  connection.auth.params.inletUrl = `${emu.url}/collection/abc`;
  const ok = await runCli(['dataflow', 'create', '--template', 'accounts', '--via', 'http-api', '--json'], env);
  assert.equal(ok.exitCode, 0, ok.stdout + ok.stderr);
  assert.equal(emu.state.flows.all().length, 1);
});
