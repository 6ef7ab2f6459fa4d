// The sync cursor (aep-fallback.md §4 "Implications" 2-3): the newest Modified_Time up to which
// every record was acknowledged by AEP, kept as Zoho wrote it (it goes back as If-Modified-Since),
// plus the ids acknowledged at exactly that second. Zoho filters If-Modified-Since inclusively, so
// the next read starts at that second again and drops those ids: a record changed in the cursor's
// second after the last read is still sent, and none is sent again forever. Times are compared as
// instants (Zoho writes the org's offset, e.g. +05:30), to the second (Zoho's precision).
//
// A crowded second (a mass update stamps tens of thousands of records with one Modified_Time) is
// kept in a compact form, so that what a checkpoint writes stays bounded: `through`, the last id
// of that second the walk acknowledged in its (Modified_Time, id) order, says every record of the
// second up to that id reached AEP, and only the ids after it stay listed. That is true only of a
// second that was over before the walk started reading it: a record edited within the cursor's
// own second could take a place before `through` after the walk went past it. So a second newer
// than `settledBefore` keeps every id (as many as Zoho stamped in it), and the walk resumes after
// (at, through) instead of re-reading the whole second.
//
// The live edge: the cursor never moves to a second that was not over, on Zoho's clock, a margin
// before the walk began (its first answer's Date header). A walk's page can end at (T, 500) while
// T is the current second; a record with a lower id edited later in T then takes a place the walk
// has passed. Were the cursor to move on to T+1, no pass would read T again and that edit would
// be lost. Held at or before the edge, the next pass reads from there again: records of the last
// few seconds may be sent twice, none is skipped.
//
// The same pair tracks deletes, on deleted_time (never compacted: that listing has no order).

export interface Cursor {
  /** The time as Zoho sent it, or undefined before the first acknowledged record. */
  at?: string;
  /** Ids acknowledged at exactly `at`'s second (beyond `through`, when there is one). */
  ids: ReadonlySet<string>;
  /** Every record at `at`'s second whose id is at most this one was acknowledged too. */
  through?: string;
}

export const EMPTY: Cursor = Object.freeze({ ids: new Set<string>() });

/** Ids a cursor lists at its second before it keeps the compact form (about 35 KB as the state file prints them). */
export const MAX_CURSOR_IDS = 1000;

/** Whole seconds since the epoch, or undefined for a missing or unreadable time. */
export function instant(time: unknown): number | undefined {
  if (typeof time !== 'string' || !time.trim()) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** Zoho ids as numbers (19 digits, beyond a double's precision): the longer is the larger. */
export const compareIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** The record was acknowledged in an earlier pass: at the cursor's second, and listed or through. */
export function alreadySent(cursor: Cursor, id: string, time: unknown): boolean {
  const at = instant(cursor.at);
  if (at === undefined || instant(time) !== at) return false;
  return cursor.ids.has(id) || (cursor.through !== undefined && compareIds(id, cursor.through) <= 0);
}

/** What happened to one record of a page, in the page's order. */
export type Fate = 'acked' | 'already-sent' | 'failed' | 'not-sent';

/** Where a cursor may go (whole seconds since the epoch). */
export interface Bounds {
  /** A second before this one is over on Zoho's clock for long enough to keep compact. */
  settledBefore?: number;
  /** The live edge: the cursor stops before a record of a later second (see the top). */
  edge?: number;
  /** Ids a settled second lists before it is kept compact. */
  maxIds?: number;
}

/**
 * The cursor after a page: it moves through the page's records in order (Zoho sorts them by
 * Modified_Time then id ascending) while each was acknowledged (or had been before), and stops at
 * the first that was not, or that is past the live edge: everything before the new cursor, and its
 * ids at its second, reached AEP. A record without a readable time neither moves nor blocks the
 * cursor. A second before `settledBefore` with more than `maxIds` ids is kept compact (see the
 * top). The walk must have read the cursor's second from its start (or from after `through`), as
 * ZohoCrm.walk does from the cursor.
 */
export function advance(
  cursor: Cursor,
  records: ReadonlyArray<{ id: string; time: unknown }>,
  fates: readonly Fate[],
  bounds: Bounds = {},
): Cursor {
  const { settledBefore = Number.NEGATIVE_INFINITY, edge = Number.POSITIVE_INFINITY, maxIds = MAX_CURSOR_IDS } = bounds;
  let { at, through } = cursor;
  let second = instant(at);
  let ids: Set<string> | undefined;
  /** The last id of the cursor's second taken in this page, in the walk's order. */
  let last: string | undefined;
  for (let i = 0; i < records.length; i++) {
    if (fates[i] !== 'acked' && fates[i] !== 'already-sent') break;
    const { id, time } = records[i];
    const t = instant(time);
    if (t === undefined) continue;
    if (t > edge) break;
    if (second === undefined || t > second) {
      [at, second, ids, through, last] = [String(time), t, new Set([id]), undefined, id];
    } else if (t === second) {
      ids ??= new Set(cursor.ids);
      ids.add(id);
      last = id;
    }
    // An older time (Zoho answered a record from before the cursor) leaves the cursor where it is.
  }
  if (!ids) return cursor;
  if (second !== undefined && second < settledBefore && ids.size > maxIds && last !== undefined) {
    // Compact: everything of the second up to `last` (in the walk's order) was acknowledged.
    const upTo = through !== undefined && compareIds(through, last) > 0 ? through : last;
    for (const id of ids) if (compareIds(id, upTo) <= 0) ids.delete(id);
    through = upTo;
  }
  return through === undefined ? { at, ids } : { at, ids, through };
}

/**
 * The later of two cursors (both true statements about what reached AEP), with the ids of both
 * when they name the same second: `--full` reads from the start but never moves a cursor back.
 */
export function later(a: Cursor, b: Cursor): Cursor {
  const [x, y] = [instant(a.at), instant(b.at)];
  if (y === undefined) return a;
  if (x === undefined || y > x) return b;
  if (x > y) return a;
  const through =
    a.through === undefined
      ? b.through
      : b.through === undefined || compareIds(a.through, b.through) >= 0
        ? a.through
        : b.through;
  const ids = new Set([...a.ids, ...b.ids].filter((id) => through === undefined || compareIds(id, through) > 0));
  return through === undefined ? { at: a.at, ids } : { at: a.at, ids, through };
}

export const sameCursor = (a: Cursor, b: Cursor): boolean =>
  a.at === b.at && a.through === b.through && a.ids.size === b.ids.size && [...a.ids].every((id) => b.ids.has(id));

/** Where a walk starts from a cursor: the module's start, its second (inclusive), or after (at, through). */
export function walkFrom(cursor: Cursor): { at?: undefined } | { at: string; id?: string } {
  if (cursor.at === undefined) return {};
  return cursor.through === undefined ? { at: cursor.at } : { at: cursor.at, id: cursor.through };
}
