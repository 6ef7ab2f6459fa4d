// init's questions on a terminal (issue 24.9): README step 1 pasted as a block must not answer the
// next question with its second line, and an answer of the wrong shape (a pasted command) is
// refused and asked again, never stored. In a pseudo-terminal, through the real binary.
import { strict as assert } from 'node:assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spawn } from '@lydell/node-pty';
import { BIN, tempHome } from '../helpers/cli.js';
import { plain } from '../helpers/pty.js';

const CONSOLE = {
  CLIENT_ID: '0123456789abcdef0123456789abcdef',
  CLIENT_SECRETS: ['p8e-0123456789abcdefABCDEF0123456789'],
  ORG_ID: '5C1328435BF324E90A49402A@AdobeOrg',
  SCOPES: ['openid', 'AdobeID'],
};
const ZOHO_ID = '1000.ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ZOHO_SECRET = '0123456789abcdef0123456789abcdef0123456789';
const PROMPTS = /Zoho client id \(Enter to skip\): |Zoho client secret: /g;

/**
 * `aep-zoho init --from-console <file>` in a pseudo-terminal: `typeahead` is in the terminal before
 * the program starts (a pasted block's later lines); each question asked gets the next answer.
 */
async function init(t: { after(fn: () => unknown): void }, typeahead: string, answers: string[]) {
  const home = await tempHome();
  t.after(() => rm(home, { recursive: true, force: true }));
  const file = join(home, 'credential.json');
  await writeFile(file, JSON.stringify(CONSOLE), { mode: 0o600 });
  const env = { PATH: process.env.PATH!, AEP_ZOHO_HOME: home, NO_COLOR: '1', TERM: 'xterm-256color' };
  const pty = spawn(process.execPath, [BIN, 'init', '--from-console', file], { cols: 100, rows: 40, env });
  if (typeahead) pty.write(typeahead);
  let output = '';
  let answered = 0;
  const exitCode = await new Promise<number>((resolve) => {
    pty.onData((data) => {
      output += data;
      const asked = output.match(PROMPTS)?.length ?? 0;
      if (asked > answered && answered < answers.length) pty.write(`${answers[answered++]}\r`);
    });
    pty.onExit(({ exitCode: code }) => resolve(code));
  });
  const text = plain(output);
  const stored = JSON.parse(await readFile(join(home, 'credentials.json'), 'utf8')).profiles.default;
  return { exitCode, text, stored, asked: text.match(PROMPTS)?.length ?? 0 };
}

test('a pasted block: the line after init is not taken as the Zoho client id', async (t) => {
  // README step 1's second line, pasted with the first: in the terminal before the question.
  const r = await init(t, 'npx aep-zoho auth status\r', ['']);
  assert.equal(r.exitCode, 0, r.text);
  assert.equal(r.asked, 1, r.text);
  assert.equal(r.stored.aep.clientId, CONSOLE.CLIENT_ID);
  assert.equal(r.stored.zoho?.clientId, undefined, JSON.stringify(r.stored.zoho));
  assert.doesNotMatch(JSON.stringify(r.stored), /auth status/);
});

test('an answer of the wrong shape is refused and asked again; a right one is stored', async (t) => {
  const r = await init(t, '', ['npx aep-zoho auth status', ZOHO_ID, 'short', ZOHO_SECRET]);
  assert.equal(r.exitCode, 0, r.text);
  assert.equal(r.asked, 4, r.text);
  assert.match(r.text, /'npx aep-zoho auth status' is not a Zoho client id \('1000\.' and 32 letters and digits\)/);
  assert.match(r.text, /That is not a client secret/);
  assert.doesNotMatch(r.text, /short/, 'a secret answer is never echoed');
  assert.equal(r.stored.zoho.clientId, ZOHO_ID);
  assert.equal(r.stored.zoho.clientSecret, ZOHO_SECRET);
});
