// Data Prep (aep-api.md §7, aep-updates.md §2): mapping sets. A mapping edit is a PUT of the whole
// set, which bumps its version; the flow then moves to that version (src/converge/kinds/mappingSet.ts).
import type { PlatformRequest } from '../http/platform.js';

export const CONVERSION = '/data/foundation/conversion';
const JSON_ACCEPT = { accept: 'application/json' };
/** Data Prep requires limit and start on lists. */
const PAGE = 100;

export interface Mapping {
  sourceType?: string;
  source?: string;
  sourceAttribute?: string;
  destination?: string;
  destinationXdmPath?: string;
  [key: string]: unknown;
}

export interface MappingSet {
  id: string;
  /** Absent from list items (ruling 14); present on a GET by id. */
  name?: string;
  version: number;
  outputSchema?: { schemaRef?: { id?: string } };
  xdmSchema?: string;
  mappings?: Mapping[];
  [key: string]: unknown;
}

export interface MappingSetPage {
  data?: MappingSet[];
  /** `{ href }`, or a plain URI string; absent or null on the last page. */
  _links?: { next?: string | { href?: string } | null };
}

export const dataPrep = {
  /** No orderBy: Adobe's sources give three different values for it (ruling 14). */
  list: (start = 0): PlatformRequest<MappingSetPage> => ({
    method: 'GET',
    path: `${CONVERSION}/mappingSets`,
    query: { limit: PAGE, start },
    headers: JSON_ACCEPT,
  }),
  get: (id: string, version?: number): PlatformRequest<MappingSet> => ({
    method: 'GET',
    path: `${CONVERSION}/mappingSets/${id}`,
    query: version === undefined ? undefined : { version },
    headers: JSON_ACCEPT,
  }),
  create: (body: Record<string, unknown>): PlatformRequest<MappingSet> => ({
    method: 'POST',
    path: `${CONVERSION}/mappingSets`,
    body,
    headers: JSON_ACCEPT,
  }),
  /**
   * The spec's PUT takes no If-Match and stores a new version (aep-updates.md §2). After a failure
   * that may hide its success, the set is read back: a version past `observedVersion` means it applied.
   */
  put: (id: string, body: Record<string, unknown>, observedVersion?: number): PlatformRequest<MappingSet> => ({
    method: 'PUT',
    path: `${CONVERSION}/mappingSets/${id}`,
    body,
    headers: JSON_ACCEPT,
    ...(Number.isInteger(observedVersion)
      ? {
          reread: {
            request: dataPrep.get(id),
            applied: (current: MappingSet) => Number(current?.version) > observedVersion!,
          },
        }
      : {}),
  }),
};

/** The schema a mapping set writes to, in either body style. */
export const mappingSetSchema = (set: MappingSet): string | undefined =>
  set.outputSchema?.schemaRef?.id ?? set.xdmSchema;
