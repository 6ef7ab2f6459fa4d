// One way to read a listing page by page, for every Adobe list (Schema Registry, Flow Service,
// Data Prep, Catalog), guarded against an answer that never ends: a next-page token that comes
// back (the same page again, forever), a page that brings nothing new (an offset the server
// ignores), or more pages than any real listing has. The guard is exported for other walks (Zoho's).
import { ApiError } from '../core/errors.js';
import { para } from '../core/text.js';

/**
 * Pages of a listing at most; Adobe's pages hold up to 100 (300 in the registry) items, so this is far beyond any org.
 */
export const MAX_PAGES = 1000;

export interface GuardOptions {
  maxPages?: number;
  /** Whose answers these are, for the message (default 'Adobe'). */
  service?: string;
  /** What to do about it (default: check the Platform URL and any proxy). */
  hint?: string;
}

/** A listing that would never end: exit 1, and never taken for an empty or unavailable list. */
export class EndlessListingError extends ApiError {}

const DEFAULT_HINT = para`A server or proxy in between is answering wrongly: check AEP_PLATFORM_URL and any proxy, then
  re-run (re-running is safe).`;

/** Returns a check to call with each next-page token; it throws once the listing cannot be right. */
export function pageGuard(what: string, options: number | GuardOptions = {}): (token: string) => void {
  const {
    maxPages = MAX_PAGES,
    service = 'Adobe',
    hint = DEFAULT_HINT,
  } = typeof options === 'number' ? { maxPages: options } : options;
  const seen = new Set<string>();
  return (token) => {
    const repeated = seen.has(token);
    seen.add(token);
    if (!repeated && seen.size < maxPages) return;
    const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
    throw new EndlessListingError(
      repeated
        ? para`${service}: ${what} answered page ${seen.size + 1} with a next-page token it had already sent
            ('${shown}'); aep-zoho stopped instead of reading the same pages forever.`
        : para`${service}: ${what} kept answering with a next page for ${maxPages} pages; aep-zoho stopped there (no
          listing this tool makes is that long).`,
      { hint },
    );
  };
}

/**
 * Returns a check to call with each page's item keys; it throws when a page holds items but none
 * that an earlier page did not (the server ignored where to start and sent the same page again).
 */
export function progressGuard(what: string, options: Omit<GuardOptions, 'maxPages'> = {}): (keys: string[]) => void {
  const { service = 'Adobe', hint = DEFAULT_HINT } = options;
  const seen = new Set<string>();
  let page = 0;
  return (keys) => {
    page++;
    const fresh = keys.filter((key) => !seen.has(key));
    for (const key of keys) seen.add(key);
    if (!keys.length || fresh.length) return;
    throw new EndlessListingError(
      para`${service}: ${what} answered page ${page} with only items of the pages before; aep-zoho stopped instead of
        reading the same page forever.`,
      { hint },
    );
  };
}

/** One page of a listing: its items, and where the next starts (absent, null or '': none). */
export interface Page<T> {
  items: T[];
  next?: string | number | null;
}

/**
 * Every item of a listing: `fetch` reads the page starting at `next` (undefined: the first), until
 * a page says there is no next one. `key` names an item, for the no-progress check.
 */
export async function readPages<T>(
  what: string,
  fetch: (next: string | undefined) => Promise<Page<T>>,
  options: { key?: (item: T) => string | undefined; maxPages?: number } = {},
): Promise<T[]> {
  const tokens = pageGuard(what, { maxPages: options.maxPages });
  const progress = progressGuard(what);
  const all: T[] = [];
  let next: string | undefined;
  for (;;) {
    const page = await fetch(next);
    all.push(...page.items);
    if (options.key)
      progress(page.items.map(options.key).filter((key): key is string => typeof key === 'string' && key !== ''));
    if (page.next === undefined || page.next === null || page.next === '') return all;
    next = String(page.next);
    tokens(next);
  }
}
