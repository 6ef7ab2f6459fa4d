// One pass of one http-api dataflow: the Zoho records changed since its cursor, page by page
// (Modified_Time ascending, page_token), each posted to the flow's inlet; after every page the
// cursor moves past what AEP acknowledged and is saved, so a run killed at any moment resumes
// from the last page and loses nothing (a record may be sent again, never skipped). Then the
// deletes since the delete cursor are counted (reported only: the Data Lake is append-only).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SyncState, StateStore } from '../config/state.js';
import { ApiError, CancelledError, isUserError } from '../core/errors.js';
import { MAX_RECORD_BYTES, type InletClient, type PostOutcome } from '../aep/inlet.js';
import { advance, alreadySent, instant, later, sameCursor, type Cursor, type Fate } from './cursor.js';

/** What a pass needs from Zoho's REST API (src/zoho/crm.ts's ZohoCrm). */
export interface ZohoReader {
  records(
    module: string,
    options: { fields: string[]; since?: string; pageToken?: string; perPage?: number },
  ): Promise<{ records: Array<Record<string, unknown>>; nextPageToken?: string; more: boolean; changed?: string[] }>;
  deleted(
    module: string,
    options: { since?: string; page?: number },
  ): Promise<{
    records: Array<{ id: string; deletedTime: string; type?: string; displayName?: string }>;
    more: boolean;
  }>;
}

export interface Failure {
  id: string;
  status?: number;
  message: string;
  /** Refused before sending: over AEP's 1 MB record limit. */
  tooLarge?: boolean;
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
  /** The cursor after the pass: every record modified up to it reached AEP. */
  cursor: string | null;
  /** Not delivered (refused, or failing after the retries). */
  failed: number;
  /** Read but not sent because an earlier record failed (the next pass sends them). */
  notSent: number;
  /** Changed in Zoho while its fields were read in several calls: left, with what follows, for the next pass (not a failure). */
  changed: number;
  deletedCursor: string | null;
  pages: number;
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
 * A full garbage collection, run between pages. What a pass keeps between pages is small (about
 * 11 MB), but the objects of each inlet post live while it waits on the network, survive the
 * young-generation collections and are promoted: left alone, old space grows to ~75 MB for 2,500
 * records (140 MB RSS). One collection per page (200 records, a few ms) keeps the RSS of a long
 * `sync --every` flat, near 100 MB. `--expose-gc` only makes `gc` reachable, from a new context.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

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
    cursor: sync.cursor ?? null,
    failed: 0,
    notSent: 0,
    changed: 0,
    deletedCursor: sync.deletedCursor ?? null,
    pages: 0,
    failures: [],
  };
  // Modified_Time carries the cursor, so it is always read; Zoho sends `id` unasked.
  const fields = [...new Set([...sync.fields, 'Modified_Time'])].filter((name) => name !== 'id');
  const saved: Cursor = { at: sync.cursor, ids: sync.cursorIds ?? [] };
  // --full reads from the start and tracks its own cursor, saved only where it passes the stored one.
  let start: Cursor = options.full ? { ids: [] } : saved;
  let restarted = false;
  let cursor = start;
  let stored = saved;
  let pageToken: string | undefined;
  const tokens = new Set<string>();
  try {
    // Before anything is read or sent: an inlet URL records and the token must not go to.
    deps.inlet.check(sync.inletUrl);
    for (;;) {
      let page: Awaited<ReturnType<ZohoReader['records']>>;
      try {
        page = await reader.records(sync.module, { fields, since: start.at, pageToken });
      } catch (error) {
        // A page token that expired while the pass ran (Zoho's lifetime is undocumented): once per
        // pass, read again from the cursor saved so far; what was acknowledged is dropped there.
        if (!pageToken || restarted || (error as { code?: string }).code !== 'ZOHO_PAGE_TOKEN_INVALID') throw error;
        restarted = true;
        if (!options.full) start = stored;
        cursor = start;
        pageToken = undefined;
        tokens.clear();
        continue;
      }
      report.pages++;
      const records = page.records.map((raw) => ({ raw, id: String(raw.id), time: raw.Modified_Time }));
      const fates = await postPage(deps, sync, records, start, options.full, report, new Set(page.changed ?? []));
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
      // Likewise before a record that changed while it was read: the next pass reads it anew.
      if (report.failed || report.notSent || report.changed) break;
      if (!page.more || !page.nextPageToken) break;
      if (tokens.has(page.nextPageToken)) {
        throw new ApiError(
          `Zoho CRM answered page ${report.pages + 1} of ${sync.module} with a page_token it had already sent; aep-zoho stopped instead of reading the same pages forever.`,
          {
            hint: 'A server or proxy in between is answering wrongly: check ZOHO_ENDPOINT and any proxy, then run sync again (the cursor is saved).',
          },
        );
      }
      tokens.add(page.nextPageToken);
      pageToken = page.nextPageToken;
    }
    report.deleted = await countDeletes(deps, template, sync, report);
    if (!report.failed && !report.notSent)
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
 * Counts the deletes since the delete cursor, each once (the same cursor-and-ids rule on
 * deleted_time). Saved after the last page, not after each: Zoho does not document the order of
 * this listing, so only the whole of it says which deleted_time every entry before has reached.
 */
async function countDeletes(deps: PassDeps, template: string, sync: SyncState, report: PassReport): Promise<number> {
  const start: Cursor = { at: sync.deletedCursor, ids: sync.deletedIds ?? [] };
  const from = instant(start.at);
  let newest = start;
  // Each id once a pass: the listing may shift between pages while deletes arrive, and one record
  // can be listed as both recycled and permanently deleted.
  const counted = new Set<string>();
  const pages = new Set<string>();
  for (let page = 1; ; page++) {
    const answer = await deps.reader.deleted(sync.module, { since: start.at, page });
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
  if (!sameCursor(newest, start)) {
    await checkpoint(deps.state, deps.sandbox, template, sync.flowId, (entry) => {
      entry.deletedCursor = newest.at;
      entry.deletedIds = newest.ids;
    });
  }
  report.deletedCursor = newest.at ?? null;
  return count;
}

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
