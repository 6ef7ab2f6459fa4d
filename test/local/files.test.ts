// Issue 13, points 3, 12 and 13: the files under AEP_ZOHO_HOME. A Developer Console download that
// others can read is warned about; a home others can write to is refused; a symlinked
// credentials.json is written through, never replaced; a full disk, a read-only home and a home
// that is a file are user errors naming AEP_ZOHO_HOME, with no temp file left; a damaged table
// cache in the state file is ignored. The full-disk and read-only cases mount a small tmpfs in a
// user and mount namespace (unshare -rm); where the system forbids that, they are skipped.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, lstat, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, cliEnv, runCli, SECRETS, spawnCli, tempHome } from '../helpers/cli.js';
import { emulator, type Emulator } from '../helpers/emulator.js';

type Emu = Emulator & { env: Record<string, string> };
const CONSOLE = {
  CLIENT_ID: 'console-client',
  CLIENT_SECRETS: [SECRETS.AEP_CLIENT_SECRET],
  ORG_ID: 'ABC123@AdobeOrg',
  SCOPES: ['openid', 'AdobeID'],
};

/** A Developer Console download with the given mode, outside any home. */
async function consoleFile(mode: number): Promise<string> {
  const file = join(await tempHome(), 'credential.json');
  await writeFile(file, JSON.stringify(CONSOLE));
  await chmod(file, mode);
  return file;
}

const namespaces = spawnSync('unshare', ['-rm', 'true']).status === 0;

/** Runs a shell script in a fresh user+mount namespace; its mounts vanish with it. */
function inNamespace(
  script: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', ['-rm', 'sh', '-c', script], {
      env: { ...env, NODE: process.execPath, BIN } as NodeJS.ProcessEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

describe('point 3: local files', () => {
  test('init --from-console warns when others can read the download, and not when they cannot', async () => {
    const home = await tempHome();
    const open = await consoleFile(0o644);
    const r = await spawnCli(['init', '--from-console', open, '--json'], {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: home,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.json().profile, 'default');
    assert.match(
      r.stderr,
      new RegExp(
        `${open.replace(/[.]/g, '\\.')} holds your Adobe client secret and other users can read it \\(mode 644\\)\\..*delete the download \\(rm '`,
      ),
    );
    const private_ = await consoleFile(0o600);
    const quiet = await spawnCli(['init', '--from-console', private_, '--json'], {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: home,
    });
    assert.equal(quiet.exitCode, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /other users can read/);
  });

  test('a home folder others can write to is refused (nothing is written into it)', async () => {
    const home = await tempHome();
    await chmod(home, 0o777);
    for (const argv of [
      ['init', '--from-console', await consoleFile(0o600)],
      ['auth', 'status'],
    ]) {
      const r = await spawnCli([...argv, '--json'], { PATH: process.env.PATH, AEP_ZOHO_HOME: home });
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(
        r.json().error.message,
        new RegExp(
          `^The aep-zoho home folder ${home} can be written by other users \\(mode 777\\): one of them could replace the credentials store`,
        ),
      );
      assert.match(r.json().error.hint, /chmod go-w .*AEP_ZOHO_HOME/);
    }
    assert.deepEqual(await readdir(home), []);
  });

  test('a symlinked credentials.json stays a link: the write goes through it', async () => {
    const home = await tempHome();
    const vault = await tempHome();
    const target = join(vault, 'aep-zoho-credentials.json');
    await writeFile(target, '{}\n', { mode: 0o600 });
    await symlink(target, join(home, 'credentials.json'));
    const r = await spawnCli(['init', '--from-console', await consoleFile(0o600), '--profile', 'linked', '--json'], {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: home,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok((await lstat(join(home, 'credentials.json'))).isSymbolicLink());
    assert.equal(await readlink(join(home, 'credentials.json')), target);
    const stored = JSON.parse(await readFile(target, 'utf8'));
    assert.equal(stored.profiles.linked.aep.clientId, 'console-client');
    assert.equal((await lstat(target)).mode & 0o777, 0o600);
    assert.deepEqual(
      (await readdir(vault)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  test('a dangling credentials.json link is refused, not replaced', async () => {
    const home = await tempHome();
    await symlink('/nonexistent/aep-zoho/credentials.json', join(home, 'credentials.json'));
    const r = await spawnCli(['init', '--from-console', await consoleFile(0o600), '--json'], {
      PATH: process.env.PATH,
      AEP_ZOHO_HOME: home,
    });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(
      r.json().error.message,
      /credentials\.json is a symbolic link to \/nonexistent\/aep-zoho\/credentials\.json, which does not exist/,
    );
    assert.equal(await readlink(join(home, 'credentials.json')), '/nonexistent/aep-zoho/credentials.json');
  });
});

describe('point 12: local failures are user errors naming AEP_ZOHO_HOME', () => {
  test('AEP_ZOHO_HOME names a file', async () => {
    const file = join(await tempHome(), 'not-a-folder');
    await writeFile(file, 'x');
    for (const argv of [['init', '--from-console', await consoleFile(0o600)], ['auth', 'status'], ['connect']]) {
      const r = await spawnCli([...argv, '--json'], { ...cliEnv({}, file), AEP_PLATFORM_URL: 'http://127.0.0.1:9' });
      assert.equal(r.exitCode, 1, `${argv[0]}: ${r.stderr}`);
      const { error } = r.json();
      assert.match(
        error.message,
        new RegExp(
          `^Cannot (read|create|save) ${file}/\\S+: ${file} is a file, not a folder \\((ENOTDIR|EEXIST)\\)\\.$`,
        ),
        argv[0],
      );
      assert.match(error.hint, /AEP_ZOHO_HOME must name a folder/);
      assert.doesNotMatch(r.stderr, /Internal error|\n\s+at /);
    }
  });

  test('a full disk: the error says so, the previous store is intact and no temp file is left', {
    skip: !namespaces && 'unshare -rm is not permitted here',
  }, async () => {
    const home = await tempHome();
    const file = await consoleFile(0o600);
    // 16 pages of 4 KB: credentials.json takes one, the filler 13, the two locks of the second run the last two.
    const r = await inNamespace(
      `mount -t tmpfs -o size=64k,mode=700 tmpfs "$AEP_ZOHO_HOME" || exit 99
       "$NODE" "$BIN" init --from-console "${file}" --json > /dev/null || exit 98
       head -c $((13 * 4096)) /dev/zero > "$AEP_ZOHO_HOME/fill"
       "$NODE" "$BIN" init --from-console "${file}" --profile other --json
       echo "exit=$?" >&2
       echo "files=$(ls -A "$AEP_ZOHO_HOME" "$AEP_ZOHO_HOME/locks" | tr '\\n' ' ')" >&2
       echo "store=$(tr -d '\\n ' < "$AEP_ZOHO_HOME/credentials.json")" >&2`,
      { PATH: process.env.PATH, AEP_ZOHO_HOME: home },
    );
    assert.match(r.stderr, /^exit=1$/m, r.stderr);
    const { error } = JSON.parse(r.stdout);
    assert.equal(error.message, `Cannot save ${home}/credentials.json: the disk is full (ENOSPC).`);
    assert.match(error.hint, /Free some space on that disk, or set AEP_ZOHO_HOME to another folder/);
    const files = /^files=(.*)$/m.exec(r.stderr)![1];
    assert.doesNotMatch(files, /\.tmp/);
    const store = JSON.parse(/^store=(.*)$/m.exec(r.stderr)![1]);
    assert.deepEqual(Object.keys(store.profiles), ['default']);
  });

  test('a read-only home', { skip: !namespaces && 'unshare -rm is not permitted here' }, async () => {
    const home = await tempHome();
    const file = await consoleFile(0o600);
    const r = await inNamespace(
      `mount -t tmpfs -o size=1m,mode=700 tmpfs "$AEP_ZOHO_HOME" || exit 99
       "$NODE" "$BIN" init --from-console "${file}" --json > /dev/null || exit 98
       mount -o remount,ro "$AEP_ZOHO_HOME" || exit 97
       "$NODE" "$BIN" init --from-console "${file}" --profile other --json
       echo "exit=$?" >&2`,
      { PATH: process.env.PATH, AEP_ZOHO_HOME: home },
    );
    assert.match(r.stderr, /^exit=1$/m, r.stderr);
    const { error } = JSON.parse(r.stdout);
    assert.match(
      error.message,
      new RegExp(`^Cannot create ${home}/locks/other\\.prod\\.lock: the file system is read-only \\(EROFS\\)\\.$`),
    );
    assert.match(error.hint, /Set AEP_ZOHO_HOME to a writable folder/);
  });
});

describe('point 13: a damaged table cache', () => {
  let emu: Emu;
  before(async () => {
    emu = await emulator();
  });
  after(() => emu.close());

  test('tables.items [null] in the state file: dataflow create treats the cache as absent and succeeds', async () => {
    const home = await tempHome();
    const env = cliEnv(emu.env, home);
    const connect = await runCli(['connect', '--json'], env);
    assert.equal(connect.exitCode, 0, connect.stderr);
    const path = join(home, 'state', 'default.json');
    const state = JSON.parse(await readFile(path, 'utf8'));
    state.sandboxes.prod.tables = {
      connectionId: connect.json().connectionId,
      fetchedAt: new Date().toISOString(),
      items: [null],
    };
    await writeFile(path, JSON.stringify(state));
    const r = await runCli(['dataflow', 'create', '--template', 'accounts', '--json'], env);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(typeof r.json().dataflows[0].flowId, 'string');
    // The listing was fetched again and the cache rewritten whole.
    const rewritten = JSON.parse(await readFile(path, 'utf8')).sandboxes.prod.tables;
    assert.ok(rewritten.items.length > 0 && rewritten.items.every((item: any) => typeof item?.name === 'string'));
  });
});
