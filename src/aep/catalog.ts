// Catalog (aep-api.md §5.3, aep-updates.md §4): datasets. Lists are objects keyed by id, not arrays.
import { UserError, unlessNotFound } from '../core/errors.js';
import type { Platform, PlatformRequest } from '../http/platform.js';

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

export const catalog = {
  /**
   * Catalog's name filter is compared again in the client (findDataset). In it `*` is a wildcard
   * and `**` a literal asterisk (help/catalog/api/filter-data.md), so a name's `*` is doubled.
   */
  byName: (name: string): PlatformRequest<Keyed> => ({
    method: 'GET',
    path: `${CATALOG}/dataSets`,
    query: { property: `name==${name.replaceAll('*', '**')}`, limit: 10 },
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

/** The datasets of a Catalog answer, ids folded in. */
export const datasetsOf = (keyed: Keyed | undefined): Dataset[] =>
  Object.entries(keyed ?? {}).map(([id, dataset]) => ({ ...dataset, id }) as Dataset);

/** The id in Catalog's create answer, ["@/dataSets/<id>"]. */
export function createdDatasetId(refs: unknown): string {
  const id = /@\/dataSets\/([^/]+)$/.exec(Array.isArray(refs) ? String(refs[0] ?? '') : '')?.[1];
  if (!id)
    throw new UserError(
      `Catalog answered the dataset create with ${JSON.stringify(refs)}, not ["@/dataSets/<id>"]; nothing was recorded.`,
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
