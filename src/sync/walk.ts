// The paginator of a pass: the keyset pages of one module's walk (ZohoCrm.walk), each next page
// asked for as soon as the one before is in hand, so that Zoho reads the next page while the
// current one posts. One loop guard: a page that does not come after the page before (a server or
// proxy answering wrongly) would be asked for again forever, so the walk stops before it is used.
import { ApiError } from '../core/errors.js';
import { para } from '../core/text.js';
import type { Cost, WalkFrom } from '../zoho/crm.js';
import { compareIds, instant } from './cursor.js';
import type { ZohoReader } from './engine.js';

export interface WalkRecord {
  raw: Record<string, unknown>;
  id: string;
  time: unknown;
}

export interface WalkPage {
  records: WalkRecord[];
  /** Another page follows (already asked for). */
  more: boolean;
  /** Zoho's clock when it answered (ms), if it said. */
  clock?: number;
}

/**
 * The walk's pages from `from`, in order. `spend` gets every call's cost, the cost of a page read
 * ahead and left unused (the pass stopped) included, once the generator is closed.
 */
export async function* walkPages(
  reader: ZohoReader,
  module: string,
  fields: string[],
  from: WalkFrom,
  spend: (cost: Cost | undefined) => void,
): AsyncGenerator<WalkPage> {
  const ask = (at: WalkFrom) => {
    const answer = reader.walk(module, { fields, from: at });
    answer.catch(() => undefined); // read ahead: awaited below, or its failure is moot
    return answer;
  };
  let ahead: ReturnType<ZohoReader['walk']> | undefined = ask(from);
  let lastKey: { second: number; id: string } | undefined;
  try {
    for (let number = 1; ahead; number++) {
      const page = await ahead;
      ahead = undefined;
      spend(page.cost);
      const records = page.records.map((raw) => ({ raw, id: String(raw.id), time: raw.Modified_Time }));
      const first = records[0];
      const last = records[records.length - 1];
      if (lastKey && first && !after(first, lastKey)) throw stuck(module, number, first);
      if (page.more && last && (instant(last.time) === undefined || (lastKey && !after(last, lastKey))))
        throw stuck(module, number, last);
      const more = page.more && records.length > 0;
      if (more) {
        lastKey = { second: instant(last.time)!, id: last.id };
        ahead = ask({ at: String(last.time), id: last.id });
      }
      yield { records, more, ...(page.clock === undefined ? {} : { clock: page.clock }) };
    }
  } finally {
    // A page read ahead and not used (the pass stopped): its call was made, so it is counted.
    if (ahead)
      spend(
        await ahead.then(
          (page) => page.cost,
          () => undefined,
        ),
      );
  }
}

/** The record comes strictly after the key (Modified_Time second, then id). */
function after(record: { id: string; time: unknown }, key: { second: number; id: string }): boolean {
  const second = instant(record.time);
  return second !== undefined && (second > key.second || (second === key.second && compareIds(record.id, key.id) > 0));
}

function stuck(module: string, page: number, record: { id: string; time: unknown }): ApiError {
  return new ApiError(
    para`Zoho CRM answered page ${page} of ${module}'s walk with records that do not come after the page before
      (record ${record.id} at ${String(record.time)}); aep-zoho stopped instead of reading the same records forever.`,
    {
      hint: para`A server or proxy in between is answering wrongly (the walk asks for Modified_Time then id ascending,
        after the last key read): check ZOHO_ENDPOINT and any proxy, then run sync again (the cursor is saved).`,
      code: 'ZOHO_WALK_STUCK',
    },
  );
}
