// Atomic file writes (temp file + rename) so an interrupted run never leaves half a file, and the
// permission check that refuses a credentials store others can read.
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { platform } from 'node:os';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { UserError } from '../core/errors.js';

export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await chmod(temp, mode); // open() honours the umask; the store must be exactly 0600
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Reads a JSON file, or returns undefined when it does not exist; a broken file is a UserError. */
export async function readJsonFile<T>(path: string, what: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`Cannot read the ${what} at ${path}: ${(error as Error).message}.`, { hint: 'Check the file permissions.' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserError(`The ${what} at ${path} is not valid JSON (${(error as Error).message}).`, {
      hint: `Fix or delete the file; it is rewritten by the next command that saves it.`,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`The ${what} at ${path} must hold a JSON object, but it holds ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.`, {
      hint: `Fix or delete the file; it is rewritten by the next command that saves it.`,
    });
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
