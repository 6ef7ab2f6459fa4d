// The sync cursor (aep-fallback.md §4 "Implications" 2-3): the newest Modified_Time up to which
// every record was acknowledged by AEP, kept as Zoho wrote it (it goes back as If-Modified-Since),
// plus the ids acknowledged at exactly that second. Zoho filters If-Modified-Since inclusively, so
// the next read starts at that second again and drops those ids: a record changed in the cursor's
// second after the last read is still sent, and none is sent again forever. Times are compared as
// instants (Zoho writes the org's offset, e.g. +05:30), to the second (Zoho's precision).
//
// The same pair tracks deletes, on deleted_time.

export interface Cursor {
  /** The time as Zoho sent it, or undefined before the first acknowledged record. */
  at?: string;
  /** Ids acknowledged at exactly `at`'s second. */
  ids: string[];
}

export const EMPTY: Cursor = Object.freeze({ ids: [] }) as Cursor;

/** Whole seconds since the epoch, or undefined for a missing or unreadable time. */
export function instant(time: unknown): number | undefined {
  if (typeof time !== 'string' || !time.trim()) return undefined;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** The record was acknowledged in an earlier pass: at the cursor's second and among its ids. */
export function alreadySent(cursor: Cursor, id: string, time: unknown): boolean {
  const at = instant(cursor.at);
  return at !== undefined && instant(time) === at && cursor.ids.includes(id);
}

/** What happened to one record of a page, in the page's order. */
export type Fate = 'acked' | 'already-sent' | 'failed' | 'not-sent';

/**
 * The cursor after a page: it moves through the page's records in order (Zoho sorts them by
 * Modified_Time ascending) while each was acknowledged (or had been before), and stops at the first
 * that was not: everything before the new cursor, and its ids at its second, reached AEP.
 * A record without a readable time neither moves nor blocks the cursor.
 */
export function advance(
  cursor: Cursor,
  records: ReadonlyArray<{ id: string; time: unknown }>,
  fates: readonly Fate[],
): Cursor {
  let { at, ids } = cursor;
  let second = instant(at);
  ids = [...ids];
  for (let i = 0; i < records.length; i++) {
    if (fates[i] !== 'acked' && fates[i] !== 'already-sent') break;
    const { id, time } = records[i];
    const t = instant(time);
    if (t === undefined) continue;
    if (second === undefined || t > second) {
      [at, second, ids] = [String(time), t, [id]];
    } else if (t === second && !ids.includes(id)) {
      ids.push(id);
    }
    // An older time (Zoho answered a record from before the cursor) leaves the cursor where it is.
  }
  return { at, ids };
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
  return { at: a.at, ids: [...new Set([...a.ids, ...b.ids])] };
}

export const sameCursor = (a: Cursor, b: Cursor): boolean =>
  a.at === b.at && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);
