// The profile's state: ids and etags of what aep-zoho created or adopted, per sandbox. No secrets.
// Saved atomically after every resource, so an interrupted run leaves a valid file to resume from.
import { join } from 'node:path';
import { redactValue } from '../core/redact.js';
import { readJsonFile, writeFileAtomic } from './files.js';

export interface ResourceRef {
  id: string;
  name: string;
  etag?: string;
  /** True when this profile created it (destroy deletes only those). */
  created?: boolean;
  [key: string]: unknown;
}

export interface SandboxState {
  connection?: ResourceRef;
  /** Keyed by template name. */
  dataflows?: Record<string, Record<string, ResourceRef>>;
  /** Explore's root listing, cached for the next command (tables change rarely). */
  tables?: { connectionId: string; fetchedAt: string; items: Array<{ name: string; path: string; canPreview: boolean; canFetchSchema: boolean }> };
}

interface StateFile {
  version: 1;
  sandboxes: Record<string, SandboxState>;
}

export class StateStore {
  readonly path: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(home: string, profile: string) {
    this.path = join(home, 'state', `${profile}.json`);
  }

  async read(sandbox: string): Promise<SandboxState> {
    const file = await readJsonFile<StateFile>(this.path, 'state file');
    return file?.sandboxes?.[sandbox] ?? {};
  }

  /** Serialised read-modify-write, so concurrent tasks never lose each other's updates. */
  update(sandbox: string, change: (state: SandboxState) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const file = (await readJsonFile<StateFile>(this.path, 'state file')) ?? { version: 1, sandboxes: {} };
      file.sandboxes ??= {};
      const current = file.sandboxes[sandbox] ?? {};
      change(current);
      file.sandboxes[sandbox] = current;
      await writeFileAtomic(this.path, `${JSON.stringify(redactValue(file), null, 2)}\n`, 0o644);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
