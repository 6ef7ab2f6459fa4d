// Guards a paging loop against an answer that never ends: a continuation token that comes back
// (the same page again, forever) or more pages than any real listing has.
import { ApiError } from '../core/errors.js';

/** Pages of a listing at most; Adobe's pages hold up to 100 items, so this is far beyond any org. */
export const MAX_PAGES = 1000;

/** Returns a check to call with each next-page token; it throws once the listing cannot be right. */
export function pageGuard(what: string, maxPages = MAX_PAGES): (token: string) => void {
  const seen = new Set<string>();
  return (token) => {
    const repeated = seen.has(token);
    seen.add(token);
    if (!repeated && seen.size < maxPages) return;
    const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
    throw new ApiError(
      repeated
        ? `Adobe: ${what} answered page ${seen.size + 1} with a next-page token it had already sent ('${shown}'); aep-zoho stopped instead of reading the same pages forever.`
        : `Adobe: ${what} kept answering with a next page for ${maxPages} pages; aep-zoho stopped there (no listing this tool makes is that long).`,
      {
        hint: 'A server or proxy in between is answering wrongly: check AEP_PLATFORM_URL and any proxy, then re-run (re-running is safe).',
      },
    );
  };
}
