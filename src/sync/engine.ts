// One pass of one http-api dataflow: the Zoho records changed since its cursor, page by page on a
// keyset of (Modified_Time, id) (ZohoCrm.walk: COQL, no page token, no cap; the cursor's second is
// read again and the ids already sent there dropped), each posted to the flow's inlet; after every
// page the cursor moves past what AEP acknowledged and is saved, so a run killed at any moment
// resumes from the last page and loses nothing (a record may be sent again, never skipped). A
// record edited during the walk leaves its place for a later key: it comes again, newest version,
// and none slides past the walk. Then the deletes since the delete cursor: with `deletes: soft`
// each is posted as a tombstone (`{id, Modified_Time: deleted_time, _aep_zoho_deleted: true}`, the
// mapping set maps it to isDeleted: true; every record carries `_aep_zoho_deleted: false`) through
// the same delivery, and the delete cursor moves only past tombstones AEP acknowledged; otherwise
// they are counted (the Data Lake is append-only). Every Zoho call of the pass and its credits are counted.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SyncState, StateStore } from '../config/state.js';
import { ApiError, CancelledError, isUserError } from '../core/errors.js';
import { MAX_RECORD_BYTES, type InletClient, type PostOutcome } from '../aep/inlet.js';
import { TOMBSTONE_COLUMN } from '../template/types.js';
import type { Cost, WalkFrom } from '../zoho/crm.js';
import { EMPTY, advance, alreadySent, instant, later, sameCursor, type Cursor, type Fate } from './cursor.js';

/** What a pass needs from Zoho's API (src/zoho/crm.ts's ZohoCrm). */
export interface ZohoReader {
  /** One keyset page: Modified_Time then id ascending, from the start, a second (inclusive), or after a key. */
  walk(
    module: string,
    options: { fields: string[]; from?: WalkFrom },
  ): Promise<{ records: Array<Record<string, unknown>>; more: boolean; cost?: Cost }>;
  deleted(
    module: string,
    options: { since?: string; page?: number },
  ): Promise<{
    records: Array<{ id: string; deletedTime: string; type?: string; displayName?: string }>;
    more: boolean;
    cost?: Cost;
  }>;
}

export interface Failure {
  id: string;
  status?: number;
  message: string;
  /** Refused before sending: over AEP's 1 MB record limit. */
  tooLarge?: boolean;
  /** A tombstone (`deletes: soft`): the record was deleted in Zoho; its delete is sent again next pass. */
  deleted?: boolean;
}

export interface PassReport {
  template: string;
  flowId: string;
  module: string;
  /** New records read (those already acknowledged at the cursor's second are not counted). */
  read: number;
  /** Acknowledged by AEP (HTTP 200). */
  sent: number;
  /** Deletes in Zoho since the last pass, each counted once. */
  deleted: number;
  /** `deletes: soft`: tombstones AEP acknowledged (each delete's tombstone is sent until one is). */
  tombstones: number;
  /** `deletes: soft`: tombstones not delivered (named in `failures`); the delete cursor stays before the first. */
  deletesFailed: number;
  /** The cursor after the pass: every record modified up to it reached AEP. */
  cursor: string | null;
  /** Not delivered (refused, or failing after the retries). */
  failed: number;
  /** Read but not sent because an earlier record failed (the next pass sends them). */
  notSent: number;
  /** Changed in Zoho while its fields were read in several calls: left, with what follows, for the next pass (not a failure). One COQL query reads every field at once, so a walk leaves none. */
  changed: number;
  deletedCursor: string | null;
  pages: number;
  /** Zoho CRM API calls of this pass, and the credits they cost (docs/zoho-rules.md). */
  zohoCalls: number;
  zohoCredits: number;
  /** The first few records that were not delivered. */
  failures: Failure[];
  /** A failure of the pass itself (Zoho, the network, credentials): the cursor stays where it was saved. */
  error?: { message: string; hint?: string; code?: string; status?: number };
}

export interface PassDeps {
  reader: ZohoReader;
  inlet: InletClient;
  state: StateStore;
  sandbox: string;
  signal?: AbortSignal;
  /** Posts of one dataflow in flight at once (the inlet's limiter bounds the whole run). */
  inFlight: number;
  now: () => Date;
}

export interface PassOptions {
  /** Read every record, not only those changed since the cursor (the cursor still only moves forward). */
  full: boolean;
  /** After every page, for progress. */
  onPage?: (report: PassReport) => void;
}

/**
 * Full garbage collections, run between pages. What a pass keeps between pages is small (about
 * 11 MB), but the objects of each inlet post live while it waits on the network, survive the
 * young-generation collections and are promoted: left alone, old space grows to ~75 MB for 2,500
 * records (140 MB RSS). A collection between pages (a few ms for a small heap) keeps the RSS of a
 * long `sync --every` flat, near 100 MB. `--expose-gc` only makes `gc` reachable, from a new context.
 */
const fullCollection: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** Heap growth since the last collection that calls for the next one (at least). */
const COLLECT_AFTER_BYTES = 8 * 1024 * 1024;
/** Posts between two looks at the heap inside a page. */
const COLLECT_EVERY_POSTS = 100;
let heapAfterCollection = 0;

/**
 * A full collection once the heap grew by COLLECT_AFTER_BYTES, or a quarter of what the last one
 * left if that is more, since the last one: the RSS of a sync process (a small heap) stays flat,
 * and a process whose heap is large for other reasons (a test hosting the emulator's 100,000
 * records) does not pay a full collection of it every few hundred records (its cost grows with
 * the heap it marks).
 */
function collectGarbage(): void {
  const grown = getHeapStatistics().used_heap_size - heapAfterCollection;
  if (grown < Math.max(COLLECT_AFTER_BYTES, heapAfterCollection / 4)) return;
  fullCollection();
  heapAfterCollection = getHeapStatistics().used_heap_size;
}

/** Failures named in messages and --json, at most. */
const SHOWN_FAILURES = 5;

export async function syncDataflow(
  deps: PassDeps,
  template: string,
  sync: SyncState,
  options: PassOptions,
): Promise<PassReport> {
  const { reader, state, sandbox } = deps;
  const report: PassReport = {
    template,
    flowId: sync.flowId,
    module: sync.module,
    read: 0,
    sent: 0,
    deleted: 0,
    tombstones: 0,
    deletesFailed: 0,
    cursor: sync.cursor ?? null,
    failed: 0,
    notSent: 0,
    changed: 0,
    deletedCursor: sync.deletedCursor ?? null,
    pages: 0,
    zohoCalls: 0,
    zohoCredits: 0,
    failures: [],
  };
  // Modified_Time carries the cursor, so it is always read; Zoho sends `id` unasked.
  const fields = [...new Set([...sync.fields, 'Modified_Time'])].filter((name) => name !== 'id');
  const saved: Cursor = { at: sync.cursor, ids: sync.cursorIds ?? [] };
  // --full reads from the start and tracks its own cursor, saved only where it passes the stored one.
  const start: Cursor = options.full ? { ids: [] } : saved;
  let cursor = start;
  let stored = saved;
  // The first page re-reads the cursor's second (inclusive: a record changed in it since is not
  // missed); each next one starts strictly after the last record read.
  let from: WalkFrom = start.at === undefined ? {} : { at: start.at };
  let lastKey: { second: number; id: string } | undefined;
  try {
    // Before anything is read or sent: an inlet URL records and the token must not go to.
    deps.inlet.check(sync.inletUrl);
    for (;;) {
      const page = await reader.walk(sync.module, { fields, from });
      spend(report, page.cost);
      report.pages++;
      const records = page.records.map((raw) => ({
        // With soft deletes every record says it is not one (a record restored in Zoho turns isDeleted back).
        raw: sync.deletes === 'soft' ? { ...raw, [TOMBSTONE_COLUMN]: false } : raw,
        id: String(raw.id),
        time: raw.Modified_Time,
      }));
      // A page that does not move the key forward would be asked for again forever: stop before
      // sending it, saying so (the cursor stays where the last page left it).
      const first = records[0];
      const last = records[records.length - 1];
      if (lastKey && first && !after(first, lastKey)) throw stuck(sync.module, report.pages, first);
      if (page.more && last && (instant(last.time) === undefined || (lastKey && !after(last, lastKey))))
        throw stuck(sync.module, report.pages, last);
      const fates = await postPage(deps, sync, records, start, options.full, report, new Set());
      cursor = advance(cursor, records, fates);
      const next = options.full ? later(stored, cursor) : cursor;
      if (!sameCursor(next, stored)) {
        await checkpoint(state, sandbox, template, sync.flowId, (entry) => {
          entry.cursor = next.at;
          entry.cursorIds = next.ids;
        });
        stored = next;
      }
      report.cursor = stored.at ?? null;
      options.onPage?.(report);
      collectGarbage();
      // After a record that did not reach AEP the cursor cannot move: later pages would only be sent twice.
      if (report.failed || report.notSent) break;
      if (!page.more || !records.length) break;
      const second = instant(last.time)!;
      lastKey = { second, id: last.id };
      from = { at: String(last.time), id: last.id };
    }
    report.deleted = await carryDeletes(deps, template, sync, report);
    if (!report.failed && !report.notSent && !report.deletesFailed)
      await checkpoint(
        state,
        sandbox,
        template,
        sync.flowId,
        (entry) => void (entry.lastSyncAt = deps.now().toISOString()),
      );
  } catch (error) {
    if (error instanceof CancelledError || deps.signal?.aborted) throw error;
    report.error = isUserError(error)
      ? {
          message: error.message,
          ...(error.hint ? { hint: error.hint } : {}),
          ...(error.code ? { code: error.code } : {}),
          ...(error.status ? { status: error.status } : {}),
        }
      : {
          message: `Internal error: ${(error as Error).message}`,
          hint: 'This is a bug in aep-zoho. Re-run with --debug and report the output (secrets are masked).',
          code: 'INTERNAL',
        };
  }
  return report;
}

/**
 * Posts a page's new records, up to `inFlight` at once. After the first failure no further post
 * starts: the cursor stops before that record anyway, so later ones would only be sent again.
 */
async function postPage(
  deps: PassDeps,
  sync: SyncState,
  records: Array<{ raw: Record<string, unknown>; id: string; time: unknown }>,
  start: Cursor,
  full: boolean,
  report: PassReport,
  changed: Set<string>,
): Promise<Fate[]> {
  const fates: Fate[] = records.map(({ id, time }) =>
    !full && alreadySent(start, id, time) ? 'already-sent' : 'not-sent',
  );
  // Only what comes before the first changed record is sent: the cursor cannot pass that one.
  const firstChanged = records.findIndex((r, i) => fates[i] === 'not-sent' && changed.has(r.id));
  const todo = fates.flatMap((fate, i) => (fate === 'not-sent' && (firstChanged < 0 || i < firstChanged) ? [i] : []));
  report.read += todo.length;
  if (firstChanged >= 0) report.changed += fates.slice(firstChanged).filter((fate) => fate === 'not-sent').length;
  let next = 0;
  let posted = 0;
  let stopped = false;
  const fail = (i: number, failure: Omit<Failure, 'id'>) => {
    fates[i] = 'failed';
    stopped = true;
    report.failed++;
    if (report.failures.length < SHOWN_FAILURES) report.failures.push({ id: records[i].id, ...failure });
  };
  const worker = async () => {
    while (next < todo.length && !stopped) {
      const i = todo[next++];
      const body = JSON.stringify(records[i].raw);
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > MAX_RECORD_BYTES) {
        fail(i, {
          message: `${(bytes / 1024 / 1024).toFixed(2)} MB, over AEP's 1 MB record limit (not sent)`,
          tooLarge: true,
        });
        continue;
      }
      const outcome: PostOutcome = await deps.inlet.post(sync.inletUrl, sync.flowId, body);
      // A page holds up to 2,000 records: collect inside it too (see collectGarbage).
      if (++posted % COLLECT_EVERY_POSTS === 0) collectGarbage();
      if (outcome.ok) {
        fates[i] = 'acked';
        report.sent++;
      } else {
        fail(i, { status: outcome.status, message: outcome.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.inFlight, todo.length) }, worker));
  report.notSent += fates.filter((fate, i) => fate === 'not-sent' && (firstChanged < 0 || i < firstChanged)).length;
  return fates;
}

/**
 * The deletes since the delete cursor, each once (the same cursor-and-ids rule on deleted_time):
 * counted, and with `deletes: soft` posted as tombstones. Saved after the last page, not after
 * each: Zoho does not document the order of this listing, so only the whole of it says which
 * deleted_time every entry before has reached. Tombstones go in deleted_time order, and the cursor
 * stops before the first one AEP did not acknowledge: that one and those after it are sent again
 * next pass (a delete may arrive twice, never not at all).
 */
async function carryDeletes(deps: PassDeps, template: string, sync: SyncState, report: PassReport): Promise<number> {
  const start: Cursor = { at: sync.deletedCursor, ids: sync.deletedIds ?? [] };
  const from = instant(start.at);
  let newest = start;
  // Each id once a pass: the listing may shift between pages while deletes arrive, and one record
  // can be listed as both recycled and permanently deleted.
  const counted = new Set<string>();
  const listed: Array<{ id: string; time: string }> = [];
  const pages = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await deps.reader.deleted(sync.module, { since: start.at, page });
    spend(report, answer.cost);
    for (const entry of answer.records) {
      const id = String(entry.id);
      const at = instant(entry.deletedTime);
      // Without a deleted_time no cursor can say it was reported: it would count on every pass.
      if (
        at === undefined ||
        counted.has(id) ||
        alreadySent(start, id, entry.deletedTime) ||
        (from !== undefined && at < from)
      )
        continue;
      counted.add(id);
      listed.push({ id, time: entry.deletedTime });
      newest = later(newest, { at: entry.deletedTime, ids: [id] });
    }
    if (!answer.more || !answer.records.length) break;
    const key = answer.records.map((r) => r.id).join(',');
    if (pages.has(key)) {
      throw new ApiError(
        `Zoho CRM answered page ${page + 1} of ${sync.module}'s deleted records with a page it had already sent; aep-zoho stopped instead of reading it forever.`,
        {
          hint: 'A server or proxy in between is answering wrongly: check ZOHO_ENDPOINT and any proxy, then run sync again (the cursors are saved).',
        },
      );
    }
    pages.add(key);
  }
  const count = counted.size;
  if (sync.deletes === 'soft' && listed.length) newest = await postTombstones(deps, sync, start, listed, report);
  if (!sameCursor(newest, start)) {
    await checkpoint(deps.state, deps.sandbox, template, sync.flowId, (entry) => {
      entry.deletedCursor = newest.at;
      entry.deletedIds = newest.ids;
    });
  }
  report.deletedCursor = newest.at ?? null;
  return count;
}

/**
 * Posts one tombstone per delete, oldest deleted_time first, through the records' delivery: the
 * record id (which the template's id mapping, e.g. accountID, reads), the deletion time as its
 * Modified_Time (extSourceSystemAudit.lastUpdatedDate), and the tombstone column. The delete cursor
 * after them: past those AEP acknowledged, up to the first it did not.
 */
async function postTombstones(
  deps: PassDeps,
  sync: SyncState,
  start: Cursor,
  listed: Array<{ id: string; time: string }>,
  report: PassReport,
): Promise<Cursor> {
  const ordered = listed.sort((a, b) => instant(a.time)! - instant(b.time)! || compareIds(a.id, b.id));
  const tombstones = ordered.map(({ id, time }) => ({
    raw: { id, Modified_Time: time, [TOMBSTONE_COLUMN]: true },
    id,
    time,
  }));
  // The same delivery as the records, counted apart: these are deletes, not records read.
  const tally = { ...report, read: 0, sent: 0, failed: 0, notSent: 0, failures: [] as Failure[] };
  const fates = await postPage(deps, sync, tombstones, EMPTY, true, tally, new Set());
  report.tombstones += tally.sent;
  report.deletesFailed += tally.failed + tally.notSent;
  for (const failure of tally.failures)
    if (report.failures.length < SHOWN_FAILURES) report.failures.push({ ...failure, deleted: true });
  return advance(start, ordered, fates);
}

/** Adds a call's cost to the pass's counts. */
function spend(report: PassReport, cost: Cost | undefined): void {
  report.zohoCalls += cost?.calls ?? 0;
  report.zohoCredits += cost?.credits ?? 0;
}

/** The record comes strictly after the key (Modified_Time second, then id). */
function after(record: { id: string; time: unknown }, key: { second: number; id: string }): boolean {
  const second = instant(record.time);
  return second !== undefined && (second > key.second || (second === key.second && compareIds(record.id, key.id) > 0));
}

function stuck(module: string, page: number, record: { id: string; time: unknown }): ApiError {
  return new ApiError(
    `Zoho CRM answered page ${page} of ${module}'s walk with records that do not come after the page before (record ${record.id} at ${String(record.time)}); aep-zoho stopped instead of reading the same records forever.`,
    {
      hint: 'A server or proxy in between is answering wrongly (the walk asks for Modified_Time then id ascending, after the last key read): check ZOHO_ENDPOINT and any proxy, then run sync again (the cursor is saved).',
      code: 'ZOHO_WALK_STUCK',
    },
  );
}

/** Zoho ids as numbers (19 digits, beyond a double's precision): the longer is the larger. */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** Saves into the dataflow's sync entry, if it is still this flow's (never recreates a removed one). */
function checkpoint(
  state: StateStore,
  sandbox: string,
  template: string,
  flowId: string,
  change: (entry: SyncState) => void,
): Promise<void> {
  return state.update(sandbox, (s) => {
    const entry = s.syncs?.[template];
    if (entry?.flowId === flowId) change(entry);
  });
}
