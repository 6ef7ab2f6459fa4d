// Runs the CLI two ways: in-process through the same main() the bin calls (fast), and as the
// real binary in a child process (proves bin/, the build, signals and the non-TTY output).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const BIN = fileURLToPath(new URL('../../bin/aep-zoho.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  json(): any;
}

/** Secrets every test environment uses, so tests can scan output for them. */
export const SECRETS = {
  AEP_CLIENT_SECRET: 'p8e-aep-client-secret-0001',
  ZOHO_CLIENT_SECRET: 'zoho-client-secret-0002',
  ZOHO_ACCESS_TOKEN: '1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210',
  ZOHO_REFRESH_TOKEN: '1000.aaaabbbbccccddddeeeeffff00001111.22223333444455556666777788889999',
};

// Every temp home goes when the test file's process ends (node --test runs each file in its own
// process), so a suite run leaves nothing in the OS temp folder, passed or failed.
const homes: string[] = [];
const cleanUp = () => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
};
process.once('exit', cleanUp);
// Interrupted (Ctrl-C, the runner's timeout): clean up, then die of the same signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    cleanUp();
    process.kill(process.pid, signal);
  });

export async function tempHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'aep-zoho-test-'));
  homes.push(home);
  return home;
}

/** A complete environment for the CLI against an emulator: credentials, endpoints, a fresh home. */
export function cliEnv(
  emuEnv: Record<string, string>,
  home: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    AEP_ZOHO_HOME: home,
    AEP_CLIENT_ID: 'test-client-id',
    AEP_ORG_ID: '5C1328435BF324E90A49402A@AdobeOrg',
    ZOHO_CLIENT_ID: '1000.ZOHOCLIENTID',
    AEP_ZOHO_RETRY_BASE_MS: '20',
    ...SECRETS,
    ...emuEnv,
    ...extra,
  };
}

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { columns?: number; tty?: boolean } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const tty = options.tty ?? false;
  const exitCode = await main(argv, {
    env,
    io: {
      stdout,
      stderr,
      stdin: new PassThrough(),
      isTTY: { stdin: false, stdout: tty, stderr: tty },
      columns: options.columns ?? 80,
    },
  });
  return result(exitCode, Buffer.concat(out).toString('utf8'), Buffer.concat(err).toString('utf8'));
}

export function spawnCli(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void; stdin?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: env as NodeJS.ProcessEnv,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(result(code ?? (signal ? 128 : 1), stdout, stderr)));
  });
}

function result(exitCode: number, stdout: string, stderr: string): CliResult {
  return {
    exitCode,
    stdout,
    stderr,
    json() {
      try {
        return JSON.parse(stdout);
      } catch {
        throw new Error(`stdout is not one JSON document:\n${stdout}\n--- stderr:\n${stderr}`);
      }
    },
  };
}

/** Fails with the offending text if any planted secret shows up. */
export function assertNoSecrets(text: string, secrets: string[] = Object.values(SECRETS)): void {
  for (const secret of secrets) {
    if (text.includes(secret)) throw new Error(`secret leaked: ${secret.slice(0, 6)}… in:\n${text}`);
  }
}
