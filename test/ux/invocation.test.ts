// Hints, help and completion the way the user runs the tool (issue 24.8): after a plain `npm
// install` there is no `aep-zoho` on PATH, so a hint after `npx aep-zoho …` says `npx aep-zoho …`;
// after a global install (the bin on PATH) it says `aep-zoho …`. Through real shells, real npx and
// the real binary, in a project folder laid out as npm lays it out.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registry } from '../../src/cli/registry.js';
import { COMMAND_WORDS, carryFlags } from '../../src/core/hint.js';
import { tempHome } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A project after `npm install aep-zoho` (the package linked, as npm links a local one), and a global bin folder. */
async function layout(t: { after(fn: () => Promise<void>): void }) {
  const dir = await tempHome();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const project = join(dir, 'project');
  await mkdir(join(project, 'node_modules', '.bin'), { recursive: true });
  await mkdir(join(project, 'src', 'deeper'), { recursive: true });
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'p', private: true, dependencies: { 'aep-zoho': '*' } }),
  );
  await symlink(ROOT, join(project, 'node_modules', 'aep-zoho'));
  await symlink('../aep-zoho/bin/aep-zoho.js', join(project, 'node_modules', '.bin', 'aep-zoho'));
  // A global install: npm's bin folder (on PATH) links to the package's bin file.
  const globalBin = join(dir, 'global', 'bin');
  await mkdir(globalBin, { recursive: true });
  await symlink(join(ROOT, 'bin', 'aep-zoho.js'), join(globalBin, 'aep-zoho'));
  return { dir, project, globalBin };
}

function sh(
  shell: 'bash' | 'zsh',
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = shell === 'bash' ? ['--noprofile', '--norc', '-c', script] : ['-f', '-c', script];
  return new Promise((resolve) => {
    const child = spawn(shell, args, { cwd, env: { npm_config_update_notifier: 'false', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A bare `aep-zoho <command>` (not after npx), which would be "command not found" after a plain npm install. */
const BARE = new RegExp(`(?<!npx )\\baep-zoho (?:${COMMAND_WORDS.join('|')})\\b|(?<!npx )\\baep-zoho --help`);

test('after npx aep-zoho: errors, hints, --json hints, help and usage errors all say npx aep-zoho', async (t) => {
  const { dir, project } = await layout(t);
  const env = { PATH: process.env.PATH!, HOME: dir, AEP_ZOHO_HOME: join(dir, 'home') };

  const missing = await sh('bash', 'npx aep-zoho dataflow list --profile staging', project, env);
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(
    missing.stderr,
    /^Hint: Run 'npx aep-zoho init --profile staging' \(or 'npx aep-zoho init --from-console <file> --profile staging'/m,
  );
  assert.doesNotMatch(missing.stderr, BARE);

  const json = await sh('bash', 'npx aep-zoho dataflow list --json', project, env);
  assert.match(JSON.parse(json.stdout).error.hint, /^Run 'npx aep-zoho init'/);

  const typo = await sh('bash', 'npx aep-zoho dataflwo list', project, env);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Did you mean 'npx aep-zoho dataflow'\? 'npx aep-zoho --help' lists the commands\./);

  const help = await sh('bash', 'npx aep-zoho --help && npx aep-zoho connect --help', project, env);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^npx aep-zoho <command> \[options\]$/m);
  assert.match(help.stdout, /^ {2}npx aep-zoho dataflow /m);
  assert.match(help.stdout, /^ {2}npx aep-zoho connect --via http-api$/m, 'examples');
  assert.doesNotMatch(help.stdout, BARE);

  // Started from the project's node_modules/.bin by another route (an npm script, a path): the same.
  const direct = await sh('bash', './node_modules/.bin/aep-zoho dataflow list', project, env);
  assert.match(direct.stderr, /^Hint: Run 'npx aep-zoho init'/m);
});

test('a global install (aep-zoho on PATH): hints say aep-zoho, as before', async (t) => {
  const { dir, globalBin } = await layout(t);
  const env = { PATH: `${globalBin}:${process.env.PATH}`, HOME: dir, AEP_ZOHO_HOME: join(dir, 'home') };
  const r = await sh('bash', 'aep-zoho dataflow list', dir, env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^Hint: Run 'aep-zoho init' \(or 'aep-zoho init --from-console <file>'/m);
  assert.doesNotMatch(r.stderr, /npx/);
  const help = await sh('bash', 'aep-zoho --help', dir, env);
  assert.match(help.stdout, /^aep-zoho <command> \[options\]$/m);
});

test('the rewrite touches commands only: names, markers, titles and prose keep aep-zoho, and twice is once', () => {
  const flags = { as: 'npx aep-zoho', profile: 'staging' };
  const text = [
    "Run 'aep-zoho sync accounts --full' again.",
    'Then run: aep-zoho zoho token --region <dc>',
    "Pipe it in ('pbpaste | aep-zoho zoho token --grant-token -').",
    'Dataset Zoho CRM Accounts (aep-zoho default/accounts), managed by aep-zoho sync/accounts.',
    'aep-zoho doctor: profile default',
    'Another aep-zoho is working on it; aep-zoho stopped there.',
    'see node_modules/.bin/aep-zoho sync',
  ].join('\n');
  const once = carryFlags(text, flags);
  assert.equal(
    once,
    [
      "Run 'npx aep-zoho sync accounts --full --profile staging' again.",
      'Then run: npx aep-zoho zoho token --region <dc>',
      "Pipe it in ('pbpaste | npx aep-zoho zoho token --grant-token -').",
      'Dataset Zoho CRM Accounts (aep-zoho default/accounts), managed by aep-zoho sync/accounts.',
      'aep-zoho doctor: profile default',
      'Another aep-zoho is working on it; aep-zoho stopped there.',
      'see node_modules/.bin/aep-zoho sync',
    ].join('\n'),
  );
  assert.equal(carryFlags(once, flags), once);
  assert.equal(carryFlags(text, {}), text, 'a global install changes nothing');
});

test("the command words the rewrite knows are the registry's", () => {
  const names = registry.map((entry) => entry.command.split(' ')[0]);
  assert.deepEqual([...names, 'help'].sort(), [...COMMAND_WORDS].sort());
});

test('completion: bash completes npx aep-zoho … (from a subfolder of the project) as well as aep-zoho …', async (t) => {
  const { dir, project, globalBin } = await layout(t);
  const env = { PATH: process.env.PATH!, HOME: dir, AEP_ZOHO_HOME: join(dir, 'home') };
  const cwd = join(project, 'src', 'deeper');
  const bash = await sh(
    'bash',
    [
      'source <(npx aep-zoho completion bash)',
      'ask() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _aep_zoho_completions; echo "${COMPREPLY[*]:-(none)}"; }',
      'ask npx aep-zoho dataflow cr',
      'ask npx aep-zoho dataflow create --template acc',
      'ask npx aep',
      'ask npx other-tool x',
      `PATH=${globalBin}:$PATH ask aep-zoho templ`,
      'complete -p npx aep-zoho',
    ].join('\n'),
    cwd,
    env,
  );
  assert.equal(bash.code, 0, bash.stderr);
  assert.deepEqual(bash.stdout.trim().split('\n').slice(0, 5), [
    'create',
    'accounts',
    'aep-zoho',
    '(none)',
    'templates',
  ]);
  assert.match(bash.stdout, /complete -o default -F _aep_zoho_completions npx/);
});

const HAS_ZSH = spawnSync('zsh', ['-f', '-c', 'true']).status === 0;

test('completion: zsh completes npx aep-zoho … as well as aep-zoho …', {
  skip: !HAS_ZSH && 'zsh is not installed',
}, async (t) => {
  const { dir, project, globalBin } = await layout(t);
  const env = { PATH: process.env.PATH!, HOME: dir, AEP_ZOHO_HOME: join(dir, 'home') };
  const cwd = join(project, 'src', 'deeper');
  // zsh's completion system needs a live line editor: compadd, _files and compdef are stood in for
  // (they print what they are given); the function itself runs in a real zsh.
  const zsh = await sh(
    'zsh',
    [
      'compdef() { print "compdef $*" }; compadd() { [[ $1 == -- ]] && shift; print "added $*" }; _files() { print files }',
      'eval "$(npx aep-zoho completion zsh)"',
      'words=(npx aep-zoho dataflow cr); CURRENT=4; _aep_zoho',
      'words=(npx aep-zoho dataflow create --template acc); CURRENT=6; _aep_zoho',
      'words=(npx other-tool x); CURRENT=3; _aep_zoho',
      `PATH=${globalBin}:$PATH; words=(aep-zoho templ); CURRENT=2; _aep_zoho`,
    ].join('\n'),
    cwd,
    env,
  );
  assert.equal(zsh.code, 0, zsh.stderr);
  assert.deepEqual(zsh.stdout.trim().split('\n'), [
    'compdef _aep_zoho aep-zoho npx',
    'added create',
    'added accounts',
    'files',
    'added templates',
  ]);
});

test("the README's commands say npx aep-zoho, as its first section does (a plain npm install puts no aep-zoho on PATH)", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  // Commands in code blocks (a line that starts with one) and in inline code.
  const commands = [...readme.matchAll(/^\s*(aep-zoho [^\n]*)$/gm), ...readme.matchAll(/`(aep-zoho [^`]*)`/g)].map(
    (m) => m[1],
  );
  assert.deepEqual(
    commands.filter((c) => BARE.test(c)),
    [],
  );
});
