// Data Prep client (aep-api.md §7): mapping sets. There is no DELETE for mapping sets.
import type { Platform } from '../http/platform.js';

export const CONVERSION = '/data/foundation/conversion';

export interface MappingSet {
  id: string;
  name?: string;
  version: number;
  outputSchema?: { schemaRef?: { id?: string } };
  [key: string]: unknown;
}

export class DataPrep {
  constructor(private readonly platform: Platform) {}

  /** Every mapping set with this name, newest first (they cannot be deleted, so old ones linger). */
  async findByName(name: string): Promise<MappingSet[]> {
    const page = await this.platform.get<{ data?: MappingSet[] }>(`${CONVERSION}/mappingSets`, { limit: 100, start: 0, name, orderBy: '-updatedDate' });
    return (page.data ?? []).filter((item) => item.name === name);
  }

  async create(body: Record<string, unknown>): Promise<MappingSet> {
    return (await this.platform.request<MappingSet>({ method: 'POST', path: `${CONVERSION}/mappingSets`, body })).body;
  }

  /** Maps sample rows with a mapping set that need not exist yet (read-only; used by --dry-run). */
  async preview(rows: Array<Record<string, unknown>>, mappingSet: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
    const { body } = await this.platform.request<{ data?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>>({ method: 'POST', path: `${CONVERSION}/mappingSets/preview`, body: { data: rows, mappingSet } });
    return Array.isArray(body) ? body : body.data ?? [];
  }
}
