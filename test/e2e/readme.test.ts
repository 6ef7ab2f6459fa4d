// The README's walk-through "From zero to a running dataflow", run as written against the emulator:
// the commands users copy are the commands the tests run. Only what a real org supplies is swapped
// in: the Developer Console file, the grant code from the consent redirect, and the servers' URLs.
import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { emulator } from '../helpers/emulator.js';
import { runCli, tempHome } from '../helpers/cli.js';

async function walkThrough(): Promise<string[][]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## From zero to a running dataflow');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .map((line) => line.trim().replace(/\s+#.*$/, ''))
    .filter((line) => line.startsWith('aep-zoho '))
    .map((line) => line.split(/\s+/).slice(1));
}

test("the README walk-through's commands run, in order, and end with a successful run", async () => {
  const commands = await walkThrough();
  assert.ok(commands.length >= 10, `found ${commands.length} commands`);
  const emu = await emulator({ runDurationMs: 50 });
  try {
    const home = await tempHome();
    const credential = join(home, 'credential.json');
    await writeFile(credential, JSON.stringify({ CLIENT_ID: 'readme-client', CLIENT_SECRETS: ['readme-secret-0001'], ORG_ID: 'README000000000000000000@AdobeOrg', SCOPES: ['openid', 'AdobeID', 'read_organizations'] }));
    // Step 3's `export`: the Zoho client; the URLs point at the emulator (ZOHO_ACCOUNTS_URL beats --region).
    const env = { PATH: process.env.PATH, AEP_ZOHO_HOME: home, ...emu.env, ZOHO_CLIENT_ID: '1000.README', ZOHO_CLIENT_SECRET: 'readme-zoho-secret' };
    let authorizeUrl = '';
    for (const command of commands) {
      const argv = await Promise.all(
        command.map(async (arg) => {
          if (arg === '~/Downloads/credential.json') return credential;
          if (arg === '1000.xxxx') {
            // What the user does with the printed URL: consent, and copy code= from the redirect.
            const consent = await fetch(authorizeUrl, { redirect: 'manual' });
            return new URL(consent.headers.get('location')!).searchParams.get('code')!;
          }
          return arg;
        }),
      );
      const r = await runCli([...argv, '--json'], env);
      assert.equal(r.exitCode, 0, `aep-zoho ${command.join(' ')}\n${r.stdout}${r.stderr}`);
      if (command[0] === 'zoho' && command[1] === 'authorize-url') authorizeUrl = r.json().url;
      if (command[0] === 'dataflow' && command[1] === 'runs') assert.equal(r.json().watched.status, 'success');
    }
    assert.equal(emu.state.flows.size, 1);
  } finally {
    await emu.close();
  }
});
