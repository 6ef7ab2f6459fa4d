// The profile's state: ids and etags of what aep-zoho created or adopted, per sandbox. No secrets.
// Saved atomically after every resource, so an interrupted run leaves a valid file to resume from.
// One file per profile holds every sandbox, while a writing command locks only its profile and
// sandbox: runs in two sandboxes work at once. So every write re-reads the file under the
// profile's state lock and changes only its own sandbox's entry (as the credentials store does),
// and neither run's entries are lost; the file's format is the one earlier builds wrote.
import { join } from 'node:path';
import type { LockOwner } from '../core/context.js';
import { UserError } from '../core/errors.js';
import { redactValue } from '../core/redact.js';
import { readJsonFile, writeFileAtomic } from './files.js';
import { stateLockPath, withLock } from './lock.js';

export interface ResourceRef {
  id: string;
  name: string;
  etag?: string;
  /** True when this profile created it (destroy deletes only those). */
  created?: boolean;
  [key: string]: unknown;
}

/** A create about to be sent: if the run dies before the answer, the next one still owns what it made. */
export interface Intent {
  template?: string;
  kind: string;
  name: string;
  at: string;
}

/** A replaced resource: `retiring` (to delete once its successor runs) or `kept` (renamed aside: data, or a unique title). */
export interface Retired extends ResourceRef {
  template: string;
  kind: string;
  mode: 'retiring' | 'kept';
}

/** How Zoho records reach AEP: Adobe's Zoho CRM source, or aep-zoho feeding an HTTP API streaming source. */
export type Via = 'zoho-source' | 'http-api';

/**
 * One http-api dataflow as `sync` carries it: what to read from Zoho, where to post it, and how far
 * it got. Written by `dataflow create --via http-api`, advanced by `sync` after every page.
 */
export interface SyncState {
  flowId: string;
  /** The dataset the flow writes: a new one means the records are read again from the start. */
  datasetId?: string;
  /** The Zoho module's API name (`Accounts`). */
  module: string;
  /** The module fields the mapping reads (top-level API names; `id` is always sent by Zoho). */
  fields: string[];
  /** The base connection's inlet, as Adobe gave it in `auth.params.inletUrl` (never built by hand). */
  inletUrl: string;
  /** When the flow was created or its mapping changed (ISO): Adobe pauses ingestion for about five minutes after. */
  changedAt?: string;
  /** The newest Modified_Time (as Zoho sent it) up to which every record was acknowledged by AEP. */
  cursor?: string;
  /** The ids of the records acknowledged at exactly the cursor's second (re-read inclusively, then dropped). */
  cursorIds?: string[];
  /** A crowded second, kept compact: every record at the cursor's second up to this id was acknowledged (src/sync/cursor.ts). */
  cursorThrough?: string;
  /** `soft`: each record deleted in Zoho is posted as a tombstone (the template's `deletes`); absent: only counted. */
  deletes?: 'soft';
  /** The newest deleted_time already reported (as a tombstone AEP acknowledged, with `soft`), and the ids reported at that second. */
  deletedCursor?: string;
  deletedIds?: string[];
  /** When the last complete pass ended (ISO). */
  lastSyncAt?: string;
  /** When the last pass started posting (ISO): what AEP made of it is in the Catalog batches created since. */
  lastPassAt?: string;
}

export interface SandboxState {
  /** The path `connect` chose for this profile and sandbox (AEP_ZOHO_VIA and --via override it). */
  via?: Via;
  /** The base connection of that path. */
  connection?: ResourceRef;
  /** http-api dataflows, keyed by template name. */
  syncs?: Record<string, SyncState>;
  /** Keyed by template name. */
  dataflows?: Record<string, Record<string, ResourceRef>>;
  intents?: Intent[];
  retired?: Retired[];
  /** Explore's root listing, cached for the next command (tables change rarely). */
  tables?: {
    connectionId: string;
    fetchedAt: string;
    items: Array<{ name: string; path: string; canPreview: boolean; canFetchSchema: boolean }>;
  };
}

interface StateFile {
  version: 1;
  sandboxes: Record<string, SandboxState>;
}

/** Who writes, for the state lock: the run's own (Context.lockOwner; only cli/ knows the process). */
export interface StateLock {
  owner: LockOwner;
  waitMs?: number;
}

const STATE_LOCK_WAIT_MS = 5_000;

export class StateStore {
  readonly path: string;
  private readonly lockPath: string;
  private queue: Promise<void> = Promise.resolve();
  /** Read once per run for reads; every update re-reads it under the lock (see the top of this file). */
  private file?: Promise<StateFile | undefined>;

  constructor(
    home: string,
    private readonly profile: string,
    private readonly lock: StateLock,
  ) {
    this.path = join(home, 'state', `${profile}.json`);
    this.lockPath = stateLockPath(home, profile);
  }

  async read(sandbox: string): Promise<SandboxState> {
    const file = await this.load();
    return structuredClone(file?.sandboxes?.[sandbox] ?? {});
  }

  /** The file, or undefined when there is none; a damaged structure is a UserError naming the JSON path. */
  private load(): Promise<StateFile | undefined> {
    this.file ??= this.readFile();
    return this.file;
  }

  private readFile(): Promise<StateFile | undefined> {
    return readJsonFile<StateFile>(this.path, 'state file').then((file) => {
      if (file) dropHalfWritten(file);
      const problem = file && shapeProblem(file);
      if (problem) {
        throw new UserError(`The state file at ${this.path} is damaged: ${problem}.`, {
          hint: 'Delete the file (it holds no secrets, only ids: the next command finds what aep-zoho made by name and rewrites it), or fix that entry.',
        });
      }
      if (file) dropDamagedTables(file);
      return file;
    });
  }

  /**
   * Serialised read-modify-write, so concurrent tasks never lose each other's updates; no write
   * (and no lock) when nothing changed. Only a run holding the profile-and-sandbox lock writes a
   * sandbox's entry, so this run's copy of its own sandbox is the one on disk; the rest of the file
   * is read again under the profile's state lock, since a run in another sandbox may have written
   * it since, and kept as it is there.
   */
  update(sandbox: string, change: (state: SandboxState) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const cached = (await this.load()) ?? { version: 1 as const, sandboxes: {} };
      // Changed on a copy: the cache takes it only once it is on disk, so a failed write (a lock that
      // timed out, a full disk) is not remembered as saved and written by no later update.
      const current: SandboxState = structuredClone(cached.sandboxes?.[sandbox] ?? {});
      const before = JSON.stringify(current);
      change(current);
      if (JSON.stringify(current) === before) return;
      const what = `the state file ${this.path} of profile '${this.profile}'`;
      await withLock(
        this.lockPath,
        this.lock.owner,
        { what, waitMs: this.lock.waitMs ?? STATE_LOCK_WAIT_MS },
        async () => {
          const file = (await this.readFile()) ?? { version: 1 as const, sandboxes: {} };
          file.sandboxes ??= {};
          file.sandboxes[sandbox] = current;
          this.file = Promise.resolve(file);
          await writeFileAtomic(this.path, `${JSON.stringify(redactValue(file), null, 2)}\n`, 0o644);
        },
      );
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Records a resource (the base connection, or one of a template's). A re-run that reuses what
   * this profile made keeps its `created` mark, so `destroy` still knows it is ours.
   */
  record(sandbox: string, where: { template?: string; kind: string }, ref: ResourceRef): Promise<void> {
    return this.update(sandbox, (state) => {
      const holder: Record<string, ResourceRef | undefined> = where.template
        ? ((state.dataflows ??= {})[where.template] ??= {})
        : (state as Record<string, ResourceRef | undefined>);
      const previous = holder[where.kind];
      const created = ref.created || (previous?.id === ref.id && previous?.created) || undefined;
      // A reuse knows no mapping-set version: the one recorded for the same id stays.
      const version = ref.version ?? (previous?.id === ref.id ? previous.version : undefined);
      holder[where.kind] = {
        ...ref,
        ...(version !== undefined ? { version } : {}),
        ...(created ? { created: true } : { created: undefined }),
      };
      if (!holder[where.kind]!.created) delete holder[where.kind]!.created;
      dropIntent(state, where);
    });
  }

  /** Records an intent before a create (see Intent). */
  intend(sandbox: string, intent: Omit<Intent, 'at'>, at: string): Promise<void> {
    return this.update(sandbox, (state) => {
      state.intents = (state.intents ?? []).filter((i) => !(i.template === intent.template && i.kind === intent.kind));
      state.intents.push({ ...intent, at });
    });
  }

  /** Forgets a resource (deleted, or gone), and the intent to make it. */
  forget(sandbox: string, where: { template?: string; kind: string }, id: string): Promise<void> {
    return this.update(sandbox, (state) => {
      const holder = where.template
        ? state.dataflows?.[where.template]
        : (state as Record<string, ResourceRef | undefined>);
      if (holder?.[where.kind]?.id === id) delete holder[where.kind];
      if (where.template && state.dataflows?.[where.template] && !Object.keys(state.dataflows[where.template]).length)
        delete state.dataflows[where.template];
      state.retired = state.retired?.filter((r) => r.id !== id);
      if (!state.retired?.length) delete state.retired;
      dropIntent(state, where);
    });
  }

  /** Moves a replaced resource to the retired list (its successor takes its place in the template's entry). */
  retire(sandbox: string, entry: Retired): Promise<void> {
    return this.update(sandbox, (state) => {
      state.retired = [...(state.retired ?? []).filter((r) => r.id !== entry.id), entry];
    });
  }
}

function dropIntent(state: SandboxState, where: { template?: string; kind: string }): void {
  state.intents = state.intents?.filter((i) => !(i.template === where.template && i.kind === where.kind));
  if (!state.intents?.length) delete state.intents;
}

/** Entries of ours without an id (a write cut short) say nothing: they never block a command. */
function dropHalfWritten(file: StateFile): void {
  for (const state of Object.values(file.sandboxes ?? {})) {
    if (!isObject(state)) continue;
    for (const refs of Object.values<any>(isObject(state.dataflows) ? state.dataflows : {})) {
      if (!isObject(refs)) continue;
      for (const [kind, ref] of Object.entries(refs))
        if (!isObject(ref) || typeof ref.id !== 'string' || !ref.id) delete refs[kind];
    }
    if (isObject(state.connection) && (typeof state.connection.id !== 'string' || !state.connection.id))
      delete state.connection;
    if (state.intents !== undefined && !Array.isArray(state.intents)) delete state.intents;
    if (state.retired !== undefined)
      state.retired = Array.isArray(state.retired)
        ? state.retired.filter((r: unknown) => isObject(r) && typeof r.id === 'string')
        : undefined;
  }
}

const isObject = (value: unknown): value is Record<string, any> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

function shapeProblem(file: StateFile): string | undefined {
  if (file.sandboxes === undefined) return undefined;
  if (!isObject(file.sandboxes)) return '/sandboxes must be an object';
  for (const [name, state] of Object.entries(file.sandboxes as Record<string, unknown>)) {
    const at = `/sandboxes/${name}`;
    if (!isObject(state)) return `${at} must be an object`;
    if (state.connection !== undefined && !(isObject(state.connection) && typeof state.connection.id === 'string'))
      return `${at}/connection must be an object with an "id"`;
    if (state.dataflows !== undefined && !(isObject(state.dataflows) && Object.values(state.dataflows).every(isObject)))
      return `${at}/dataflows must be an object of objects`;
  }
  return undefined;
}

/** The table listing is only a cache: a damaged one (`items: [null]`, a hand edit) is dropped and fetched again. */
function dropDamagedTables(file: StateFile): void {
  const isTable = (item: unknown) => isObject(item) && typeof item.name === 'string' && typeof item.path === 'string';
  for (const state of Object.values(file.sandboxes ?? {})) {
    const tables: unknown = state.tables;
    if (
      tables !== undefined &&
      !(
        isObject(tables) &&
        typeof tables.connectionId === 'string' &&
        Array.isArray(tables.items) &&
        tables.items.every(isTable)
      )
    )
      delete state.tables;
  }
}
