// One pass of one http-api dataflow: the Zoho records changed since its cursor, page by page on a
// keyset of (Modified_Time, id) (walk.ts over ZohoCrm.walk: COQL, no page token, no cap; the
// cursor's second is read again and the ids already sent there dropped, or the walk resumes after
// the cursor's compact key), each posted to the flow's inlet (deliver.ts); after every page the
// cursor moves past what AEP acknowledged and is saved (Checkpoints), so a run killed at any
// moment resumes from the last page and loses nothing (a record may be sent again, never skipped).
// The next page is read while the current one posts. A record edited during the walk leaves its
// place for a later key: it comes again, newest version. Then the deletes since the delete cursor:
// counted, and with the template's `deletes: soft` each is posted as a tombstone (`{id,
// Modified_Time: deleted_time, _aep_zoho_deleted: true}`, the mapping set maps it to isDeleted:
// true; every record carries `_aep_zoho_deleted: false`) through the same delivery, and the delete
// cursor moves only past tombstones AEP acknowledged.
// Every Zoho call of the pass and its credits are counted.
//
// The pass works only through its ports (a reader, an inlet, checkpoints, a clock): no disk, no
// process settings; run.ts gives it the real ones.
import type { StateStore, SyncState } from '../config/state.js';
import { ApiError, CancelledError, isUserError } from '../core/errors.js';
import { para } from '../core/text.js';
import { TOMBSTONE_COLUMN } from '../template/types.js';
import type { Cost, WalkFrom } from '../zoho/crm.js';
import {
  advance,
  alreadySent,
  compareIds,
  instant,
  later,
  sameCursor,
  walkFrom,
  type Cursor,
  type Fate,
} from './cursor.js';
import { deliver, SHOWN_FAILURES, type Delivery, type Inlet } from './deliver.js';
import { walkPages } from './walk.js';

export type { Inlet } from './deliver.js';

/** What a pass needs from Zoho's API (src/zoho/crm.ts's ZohoCrm). */
export interface ZohoReader {
  /** One keyset page: Modified_Time then id ascending, from the start, a second (inclusive), or after a key. */
  walk(
    module: string,
    options: { fields: string[]; from?: WalkFrom },
  ): Promise<{ records: Array<Record<string, unknown>>; more: boolean; cost?: Cost; clock?: number }>;
  deleted(
    module: string,
    options: { since?: string; page?: number },
  ): Promise<{
    records: Array<{ id: string; deletedTime: string; type?: string; displayName?: string }>;
    more: boolean;
    cost?: Cost;
  }>;
}

/** Where a pass saves how far it got (the dataflow's sync entry in the state file, in run.ts). */
export interface Checkpoints {
  /** Every record modified up to this cursor reached AEP. */
  walked(cursor: Cursor): Promise<void>;
  /** Every delete up to this cursor was reported. */
  deleted(cursor: Cursor): Promise<void>;
  /** The pass delivered everything it read. */
  completed(at: Date): Promise<void>;
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
  /** Deletes in Zoho since the delete cursor, each once a pass (one whose tombstone failed comes again next pass). */
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
  /**
   * Changed in Zoho while its fields were read in several calls: left, with what follows, for the
   * next pass (not a failure). One COQL query reads every field at once, so a walk leaves none.
   */
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
  inlet: Inlet;
  checkpoints: Checkpoints;
  signal?: AbortSignal;
  /** Posts of one dataflow in flight at once (the inlet's limiter bounds the whole run). */
  inFlight: number;
  now: () => Date;
  /** Heap upkeep between pages and every 100 posts (run.ts's), if any. */
  collect?: () => void;
}

export interface PassOptions {
  /** Read every record, not only those changed since the cursor (the cursor still only moves forward). */
  full: boolean;
  /** After every page, for progress. */
  onPage?: (report: PassReport) => void;
}

/**
 * A second this much older than the pass's start is over on Zoho's clock too (a clock skew of up
 * to an hour): no record can take a place in it any more, so the cursor may keep it compact.
 */
export const SETTLED_AFTER_MS = 3600_000;

/**
 * The live edge's margin (cursor.ts): the cursor stays this many seconds before the walk's start
 * on Zoho's clock, for a change Zoho stamps with one second and shows in its query a little later
 * (an assumption: Zoho documents neither; docs/zoho-rules.md). Records of those seconds are sent
 * again by the next pass.
 */
export const LIVE_EDGE_SECONDS = 10;

export async function syncDataflow(
  deps: PassDeps,
  template: string,
  sync: SyncState,
  options: PassOptions,
): Promise<PassReport> {
  const report = emptyReport(template, sync);
  // Modified_Time carries the cursor, so it is always read; Zoho sends `id` unasked.
  const fields = [...new Set([...sync.fields, 'Modified_Time'])].filter((name) => name !== 'id');
  const started = deps.now().getTime();
  const settledBefore = Math.floor((started - SETTLED_AFTER_MS) / 1000);
  /** The live edge, from Zoho's clock at the walk's first answer (this machine's when it has no Date). */
  let edge: number | undefined;
  const saved = savedCursor(sync);
  // --full reads from the start and tracks its own cursor, saved only where it passes the stored one.
  const start: Cursor = options.full ? { ids: new Set() } : saved;
  let [cursor, stored] = [start, saved];
  try {
    // Before anything is read or sent: an inlet URL records and the token must not go to.
    deps.inlet.check(sync.inletUrl);
    const delivery = { inlet: deps.inlet, inletUrl: sync.inletUrl, flowId: sync.flowId, inFlight: deps.inFlight };
    const spend = (cost: Cost | undefined) => addCost(report, cost);
    for await (const page of walkPages(deps.reader, sync.module, fields, walkFrom(start), spend)) {
      report.pages++;
      // Zoho's clock, which stamps Modified_Time, not this machine's (the fallback when Zoho sent no Date).
      edge ??= Math.floor((page.clock ?? started) / 1000) - LIVE_EDGE_SECONDS;
      // With soft deletes every record says it is not one (the mapping set maps the column to isDeleted):
      // set on the page's own records (fresh objects of this page), not on copies of them.
      const records = page.records;
      if (sync.deletes === 'soft') for (const r of records) r.raw[TOMBSTONE_COLUMN] = false;
      const fates: Fate[] = records.map(({ id, time }) =>
        !options.full && alreadySent(start, id, time) ? 'already-sent' : 'not-sent',
      );
      await deliver({ ...delivery, collect: deps.collect }, records, fates, report);
      cursor = advance(cursor, records, fates, { settledBefore, edge });
      const next = options.full ? later(stored, cursor) : cursor;
      if (!sameCursor(next, stored)) await deps.checkpoints.walked((stored = next));
      report.cursor = stored.at ?? null;
      options.onPage?.(report);
      deps.collect?.();
      // After a record that did not reach AEP the cursor cannot move: later pages would only be sent twice.
      if (report.failed || report.notSent) break;
    }
    report.deleted = await carryDeletes(
      deps,
      sync,
      report,
      delivery,
      edge ?? Math.floor(started / 1000) - LIVE_EDGE_SECONDS,
    );
    if (!report.failed && !report.notSent && !report.deletesFailed) await deps.checkpoints.completed(deps.now());
  } catch (error) {
    if (error instanceof CancelledError || deps.signal?.aborted) throw error;
    report.error = passError(error);
  }
  return report;
}

/** The cursor a sync entry holds. */
export const savedCursor = (sync: SyncState): Cursor => ({
  at: sync.cursor,
  ids: new Set(sync.cursorIds),
  ...(sync.cursorThrough === undefined ? {} : { through: sync.cursorThrough }),
});

/** The dataflow's sync entry in the state file as a pass's checkpoints (never recreating a removed entry). */
export function stateCheckpoints(state: StateStore, sandbox: string, template: string, flowId: string): Checkpoints {
  const save = (change: (entry: SyncState) => void) =>
    state.update(sandbox, (s) => {
      const entry = s.syncs?.[template];
      if (entry?.flowId === flowId) change(entry);
    });
  return {
    walked: (cursor) =>
      save((entry) => {
        entry.cursor = cursor.at;
        entry.cursorIds = [...cursor.ids];
        if (cursor.through === undefined) delete entry.cursorThrough;
        else entry.cursorThrough = cursor.through;
      }),
    deleted: (cursor) =>
      save((entry) => {
        entry.deletedCursor = cursor.at;
        entry.deletedIds = [...cursor.ids];
      }),
    completed: (at) => save((entry) => void (entry.lastSyncAt = at.toISOString())),
  };
}

/** A dataflow's report before anything was read or posted: the cursors where they are. */
export function emptyReport(template: string, sync: SyncState): PassReport {
  return {
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
}

/** A failure of the pass itself, as the report carries it. */
function passError(error: unknown): PassReport['error'] {
  return isUserError(error)
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

/**
 * The deletes since the delete cursor, each once (the same cursor-and-ids rule on deleted_time):
 * counted, and with `deletes: soft` posted as tombstones. Saved after the last page, not after
 * each: Zoho does not document the order of this listing, so only the whole of it says which
 * deleted_time every entry before has reached. Tombstones go in deleted_time order, and the cursor
 * stops before the first one AEP did not acknowledge: that one and those after it are sent again
 * next pass (a delete may arrive twice, never not at all).
 */
async function carryDeletes(
  deps: PassDeps,
  sync: SyncState,
  report: PassReport,
  delivery: Omit<Delivery, 'collect'>,
  edge: number,
): Promise<number> {
  const start: Cursor = { at: sync.deletedCursor, ids: new Set(sync.deletedIds) };
  const from = instant(start.at);
  let newest = start;
  // Each id once a pass: the listing may shift between pages while deletes arrive, and one record
  // can be listed as both recycled and permanently deleted.
  const counted = new Set<string>();
  const listed: Array<{ id: string; time: string }> = [];
  const pages = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await deps.reader.deleted(sync.module, { since: start.at, page });
    addCost(report, answer.cost);
    for (const entry of answer.records) {
      const id = String(entry.id);
      const at = instant(entry.deletedTime);
      // Without a deleted_time no cursor can say it was reported: it would count on every pass.
      // Past the live edge it is left, whole, to the next pass (whose listing starts before the
      // edge): counted and sent once, there.
      if (
        at === undefined ||
        at > edge ||
        counted.has(id) ||
        alreadySent(start, id, entry.deletedTime) ||
        (from !== undefined && at < from)
      )
        continue;
      counted.add(id);
      listed.push({ id, time: entry.deletedTime });
      newest = later(newest, { at: entry.deletedTime, ids: new Set([id]) });
    }
    if (!answer.more || !answer.records.length) break;
    const key = answer.records.map((r) => r.id).join(',');
    if (pages.has(key)) {
      throw new ApiError(
        para`Zoho CRM answered page ${page + 1} of ${sync.module}'s deleted records with a page it had already sent;
          aep-zoho stopped instead of reading it forever.`,
        {
          hint: para`A server or proxy in between is answering wrongly: check ZOHO_ENDPOINT and any proxy,
            then run sync again (the cursors are saved).`,
        },
      );
    }
    pages.add(key);
  }
  const count = counted.size;
  if (sync.deletes === 'soft' && listed.length) newest = await postTombstones(deps, delivery, start, listed, report);
  if (!sameCursor(newest, start)) await deps.checkpoints.deleted(newest);
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
  delivery: Omit<Delivery, 'collect'>,
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
  const tally: PassReport = { ...report, read: 0, sent: 0, failed: 0, notSent: 0, failures: [] };
  const fates = await deliver(
    { ...delivery, collect: deps.collect },
    tombstones,
    tombstones.map(() => 'not-sent' as Fate),
    tally,
  );
  report.tombstones += tally.sent;
  report.deletesFailed += tally.failed + tally.notSent;
  for (const failure of tally.failures)
    if (report.failures.length < SHOWN_FAILURES) report.failures.push({ ...failure, deleted: true });
  return advance(start, ordered, fates);
}

/** Adds a call's cost to the pass's counts. */
function addCost(report: PassReport, cost: Cost | undefined): void {
  report.zohoCalls += cost?.calls ?? 0;
  report.zohoCredits += cost?.credits ?? 0;
}
