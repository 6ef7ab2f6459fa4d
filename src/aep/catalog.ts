// Catalog (aep-api.md §5.3, aep-updates.md §4): datasets. Lists are objects keyed by id, not arrays.
import { UserError, unlessNotFound } from '../core/errors.js';
import { readPages } from '../http/pages.js';
import type { Platform, PlatformRequest } from '../http/platform.js';
import { para } from '../core/text.js';

export const CATALOG = '/data/foundation/catalog';
export const DATASET_SCHEMA_CONTENT_TYPE = 'application/vnd.adobe.xed+json;version=1';
const JSON_ACCEPT = { accept: 'application/json' };

export interface Dataset {
  id: string;
  name: string;
  description?: string;
  schemaRef?: { id: string; contentType: string };
  tags?: Record<string, string[]>;
  [key: string]: unknown;
}

type Keyed = Record<string, Omit<Dataset, 'id'>>;

/**
 * Catalog's largest page; `start` is a zero-based offset, and a short page is the last.
 * https://github.com/AdobeDocs/experience-platform.en/blob/main/help/catalog/api/filter-data.md
 */
const NAME_PAGE = 100;

export const catalog = {
  /**
   * One page of the datasets so named (compared again in the client: datasetsNamed). In Catalog's
   * filter `*` is a wildcard and `**` a literal asterisk (help/catalog/api/filter-data.md), so a
   * name's `*` is doubled.
   */
  byName: (name: string, start = 0): PlatformRequest<Keyed> => ({
    method: 'GET',
    path: `${CATALOG}/dataSets`,
    query: { property: `name==${name.replaceAll('*', '**')}`, limit: NAME_PAGE, ...(start ? { start } : {}) },
    headers: JSON_ACCEPT,
  }),
  get: (id: string): PlatformRequest<Keyed> => ({
    method: 'GET',
    path: `${CATALOG}/dataSets/${id}`,
    headers: JSON_ACCEPT,
  }),
  create: (body: Record<string, unknown>): PlatformRequest<string[]> => ({
    method: 'POST',
    path: `${CATALOG}/dataSets`,
    query: { requestDataSource: true },
    body,
    headers: JSON_ACCEPT,
  }),
  /** Plain JSON: the fields given change, the rest stay (never PUT: it can drop tags). */
  patch: (id: string, body: Record<string, unknown>): PlatformRequest<string[]> => ({
    method: 'PATCH',
    path: `${CATALOG}/dataSets/${id}`,
    body,
    headers: JSON_ACCEPT,
  }),
  delete: (id: string): PlatformRequest<void> => ({
    method: 'DELETE',
    path: `${CATALOG}/dataSets/${id}`,
    headers: JSON_ACCEPT,
  }),
};

/** Every dataset Catalog lists under this name filter, page by page (exact names are compared by the caller). */
export function datasetsNamed(platform: Platform, name: string): Promise<Dataset[]> {
  return readPages(
    `GET ${CATALOG}/dataSets`,
    async (start) => {
      const offset = Number(start ?? 0);
      const items = datasetsOf(await platform.send(catalog.byName(name, offset)));
      return { items, next: items.length >= NAME_PAGE ? offset + items.length : undefined };
    },
    { key: (dataset) => dataset.id },
  );
}

/** The datasets of a Catalog answer, ids folded in. */
export const datasetsOf = (keyed: Keyed | undefined): Dataset[] =>
  Object.entries(keyed ?? {}).map(([id, dataset]) => ({ ...dataset, id }) as Dataset);

/** The id in Catalog's create answer, ["@/dataSets/<id>"]. */
export function createdDatasetId(refs: unknown): string {
  const id = /@\/dataSets\/([^/]+)$/.exec(Array.isArray(refs) ? String(refs[0] ?? '') : '')?.[1];
  if (!id)
    throw new UserError(
      para`Catalog answered the dataset create with ${JSON.stringify(refs)}, not ["@/dataSets/<id>"]; nothing was
        recorded.`,
      { hint: 'Re-run the command: it looks the dataset up by name before creating it again.' },
    );
  return id;
}

export class Catalog {
  constructor(private readonly platform: Platform) {}

  async get(id: string): Promise<Dataset | undefined> {
    return datasetsOf(await unlessNotFound(this.platform.send(catalog.get(id)))).find((d) => d.id === id);
  }
}
