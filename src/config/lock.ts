// Locks under AEP_ZOHO_HOME: a file created with O_EXCL that names its owner (pid, command, host,
// start time). A second run waits a few seconds for it, then fails naming the owner; a lock whose
// process is gone (same host, pid no longer running) is taken over at once. Three locks exist: one
// per profile and sandbox, held by a writing command for as long as it runs, one for the
// credentials store, held while it is re-read, merged and written (profiles share that file), and
// one per profile for its state file, likewise (the profile's sandboxes share that file).
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { type FileHandle, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import type { LockOwner, Logger } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { para } from '../core/text.js';
import { localFileError } from './files.js';

export type { LockOwner } from '../core/context.js';

interface Holder {
  pid: number;
  command: string;
  host: string;
  startedAt: string;
}

export interface LockOptions {
  /** What the lock guards, for messages: "profile 'default' in sandbox 'prod'". */
  what: string;
  waitMs: number;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** A lock file whose owner never wrote it (died between creating and writing) is stale after this. */
const UNREADABLE_STALE_MS = 5_000;
const POLL_MS = 100;

export const commandLockPath = (home: string, profile: string, sandbox: string) =>
  join(home, 'locks', `${profile}.${sandbox}.lock`);
export const credentialsLockPath = (home: string) => join(home, 'locks', 'credentials.lock');
/** The profile's state file lock, held while it is re-read, merged and written ('_' is in no sandbox name). */
export const stateLockPath = (home: string, profile: string) => join(home, 'locks', `${profile}._state.lock`);

/** Runs `work` holding the lock, and releases it however `work` ends. */
export async function withLock<T>(
  path: string,
  owner: LockOwner,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const release = await acquireLock(path, owner, options);
  try {
    return await work();
  } finally {
    await release();
  }
}

/** Takes the lock (waiting up to `waitMs`), and returns its release. */
export async function acquireLock(path: string, owner: LockOwner, options: LockOptions): Promise<() => Promise<void>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const me: Holder = { pid: owner.pid, command: owner.command, host: hostname(), startedAt: new Date().toISOString() };
  const started = Date.now();
  let announced = false;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw await localFileError(error, path, 'create');
  }
  for (;;) {
    if (await create(path, me)) return () => release(path, me);
    const holder = await read(path);
    if (holder === 'gone') continue; // released in between: try again at once
    if (
      holder === 'unreadable'
        ? await olderThan(path, UNREADABLE_STALE_MS)
        : holder.host === me.host && holder.pid !== me.pid && !owner.isAlive(holder.pid)
    ) {
      if (holder !== 'unreadable')
        options.log?.debug(
          `lock ${path}: pid ${holder.pid} (${holder.command}) is no longer running; taking its lock over`,
        );
      await takeOver(path, holder, sleep);
      continue;
    }
    if (Date.now() - started >= options.waitMs) throw heldError(path, holder, me, options);
    if (!announced && holder !== 'unreadable') {
      options.log?.info(
        `Waiting for another aep-zoho (pid ${holder.pid}, ${holder.command}) to finish with ${options.what}…`,
      );
      announced = true;
    }
    await sleep(Math.min(POLL_MS, Math.max(1, options.waitMs - (Date.now() - started))));
  }
}

async function create(path: string, me: Holder): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw await localFileError(error, path, 'create');
  }
  try {
    await handle.writeFile(`${JSON.stringify(me)}\n`, 'utf8');
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw await localFileError(error, path, 'save');
  }
  await handle.close();
  return true;
}

async function read(path: string): Promise<Holder | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw await localFileError(error, path, 'read');
  }
  try {
    const holder = JSON.parse(text) as Holder;
    return Number.isInteger(holder?.pid) && typeof holder.command === 'string' ? holder : 'unreadable';
  } catch {
    return 'unreadable'; // being written right now, or damaged
  }
}

const olderThan = async (path: string, ms: number) => {
  const info = await stat(path).catch(() => undefined);
  return !!info && Date.now() - info.mtimeMs > ms;
};

const same = (a: Holder | 'gone' | 'unreadable', b: Holder | 'unreadable') =>
  a === b ||
  (typeof a === 'object' &&
    typeof b === 'object' &&
    a.pid === b.pid &&
    a.startedAt === b.startedAt &&
    a.host === b.host);

/**
 * Removes a stale lock, unless someone else took it over meanwhile: the takeover itself is guarded
 * by a second O_EXCL file, so two runs that both found the owner dead cannot both delete (the
 * second one would delete the first one's fresh lock).
 */
async function takeOver(
  path: string,
  stale: Holder | 'unreadable',
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  const guard = `${path}.takeover`;
  let handle: FileHandle;
  try {
    handle = await open(guard, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw await localFileError(error, guard, 'create');
    // Another run is taking over right now; a guard left by one that died is cleared after a while.
    if (await olderThan(guard, UNREADABLE_STALE_MS)) await unlink(guard).catch(() => undefined);
    await sleep(10);
    return;
  }
  try {
    if (same(await read(path), stale)) await unlink(path).catch(() => undefined);
  } finally {
    await handle.close();
    await unlink(guard).catch(() => undefined);
  }
}

/** Deletes the lock if it is still ours (a run presumed dead may have been taken over). */
async function release(path: string, me: Holder): Promise<void> {
  if (same(await read(path).catch(() => 'gone' as const), me)) await unlink(path).catch(() => undefined);
}

function heldError(path: string, holder: Holder | 'unreadable', me: Holder, options: LockOptions): UserError {
  const waited = `${Math.round(options.waitMs / 100) / 10} s`;
  if (holder === 'unreadable') {
    return new UserError(
      para`Another aep-zoho is starting work on ${options.what} (its lock file ${path} is being written); waited
        ${waited}.`,
      {
        hint: `Run the command again in a moment. If no aep-zoho is running, delete ${path}.`,
      },
    );
  }
  const where = holder.host !== me.host ? ` on host ${holder.host}` : '';
  return new UserError(
    para`Another aep-zoho is working on ${options.what}: pid ${holder.pid}${where} ('${holder.command}', running since
      ${holder.startedAt}); waited ${waited} for it to finish.`,
    {
      hint: HINTS.lockHeld(holder.pid, path),
    },
  );
}
