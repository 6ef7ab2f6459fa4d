// The files under AEP_ZOHO_HOME: atomic writes (temp file + rename) so an interrupted run never
// leaves half a file, written through a symbolic link rather than replacing it, and local failures
// (full disk, read-only or misplaced home) reported as what they are, naming AEP_ZOHO_HOME. Also
// the permission checks: a secrets file others can read, a home others can write to.
import { chmod, lstat, mkdir, open, readFile, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { platform } from 'node:os';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { UserError } from '../core/errors.js';
import { HINTS } from '../core/hints.js';
import { para } from '../core/text.js';

export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const target = await linkTarget(path);
  const temp = `${target}.${randomUUID()}.tmp`;
  try {
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'w', mode);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode); // open() honours the umask; the store must be exactly 0600
    await rename(temp, target);
  } catch (error) {
    // A full disk fails the write, not the open: the temp file exists and must not stay behind.
    await unlink(temp).catch(() => undefined);
    throw await localFileError(error, target, 'save');
  }
}

/** Where a write to `path` lands: the file itself, or what a symbolic link there points to. */
async function linkTarget(path: string): Promise<string> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return path;
  } catch {
    return path; // absent (or unreachable: the write reports why)
  }
  try {
    return await realpath(path);
  } catch {
    throw new UserError(
      `${path} is a symbolic link to ${await readlink(path).catch(() => '?')}, which does not exist.`,
      {
        hint: para`Create the file the link points to, or remove the link. aep-zoho writes through a link and never
          replaces it with a file of its own.`,
      },
    );
  }
}

/**
 * A local file failure as a UserError naming the file and the fix (a full disk, a read-only or
 * misplaced AEP_ZOHO_HOME); anything without an errno code is passed on as it is.
 */
export async function localFileError(
  error: unknown,
  path: string,
  action: 'save' | 'read' | 'create',
): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (!code || error instanceof UserError) return error;
  const cannot = `Cannot ${action} ${path}`;
  const elsewhere = 'or set AEP_ZOHO_HOME to another folder (default ~/.config/aep-zoho)';
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(`${cannot}: the disk is full (${code}).`, {
        hint: `Free some space on that disk, ${elsewhere}. The previous file, if any, is intact.`,
      });
    case 'EROFS':
      return new UserError(`${cannot}: the file system is read-only (${code}).`, {
        hint: `Set AEP_ZOHO_HOME to a writable folder (default ~/.config/aep-zoho).`,
      });
    case 'EACCES':
    case 'EPERM':
      return new UserError(`${cannot}: permission denied (${code}).`, {
        hint: `Make ${dirname(path)} writable for your user, ${elsewhere}.`,
      });
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = await fileInPath(dirname(path));
      return new UserError(
        `${cannot}: ${file ? `${file} is a file, not a folder` : 'a part of that path is not a folder'} (${code}).`,
        {
          hint: para`AEP_ZOHO_HOME must name a folder (or one that can be created): point it at
            one${file ? `, or move ${file} away` : ''}.`,
        },
      );
    }
    case 'EISDIR':
      return new UserError(`${cannot}: it is a folder, not a file (${code}).`, {
        hint: `Remove or rename that folder, ${elsewhere}.`,
      });
    default:
      return new UserError(`${cannot}: ${(error as Error).message}.`, { hint: `Check that folder, ${elsewhere}.` });
  }
}

/** The nearest existing ancestor of `dir` when it is a file (why creating under it fails). */
async function fileInPath(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info) return info.isDirectory() ? undefined : current;
    if (dirname(current) === current) return undefined;
  }
}

/** Reads a JSON file, or returns undefined when it does not exist; a broken file is a UserError. */
export async function readJsonFile<T>(path: string, what: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw await localFileError(error, path, 'read');
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserError(`The ${what} at ${path} is not valid JSON (${(error as Error).message}).`, {
      hint: HINTS.fixOrDeleteFile(),
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(
      para`The ${what} at ${path} must hold a JSON object, but it holds
        ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.`,
      {
        hint: HINTS.fixOrDeleteFile(),
      },
    );
  }
  return value as T;
}

/** Refuses a secrets file that group or others can read, as ssh does with private keys. */
export async function assertPrivate(path: string, what: string): Promise<void> {
  if (platform() === 'win32') return; // no POSIX modes to check
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch {
    return;
  }
  if (mode & 0o077) {
    throw new UserError(`The ${what} at ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}).`, {
      hint: `It holds secrets; restrict it with: chmod 600 ${path}`,
    });
  }
}

/** Refuses a home folder that other users can write to: they could swap the credentials store in it. */
export async function assertSafeHome(home: string): Promise<void> {
  if (platform() === 'win32') return;
  const mode = (await stat(home).catch(() => undefined))?.mode;
  if (mode !== undefined && mode & 0o022) {
    throw new UserError(
      para`The aep-zoho home folder ${home} can be written by other users (mode ${(mode & 0o777).toString(8)}): one of
        them could replace the credentials store.`,
      {
        hint: `Restrict it with: chmod go-w ${home} (or chmod 700), or set AEP_ZOHO_HOME to a private folder.`,
      },
    );
  }
}

/** The mode bits when group or others can read the file (undefined when they cannot, or on Windows). */
export async function readableByOthers(path: string): Promise<number | undefined> {
  if (platform() === 'win32') return undefined;
  const mode = (await stat(path).catch(() => undefined))?.mode;
  return mode !== undefined && mode & 0o044 ? mode & 0o777 : undefined;
}
