// Catalog client (aep-api.md §5.3): datasets. Lists are objects keyed by id, not arrays.
import { unlessNotFound } from '../core/errors.js';
import type { Platform } from '../http/platform.js';

export const CATALOG = '/data/foundation/catalog';
export const DATASET_SCHEMA_CONTENT_TYPE = 'application/vnd.adobe.xed+json;version=1';

export interface Dataset {
  id: string;
  name: string;
  schemaRef?: { id: string; contentType: string };
  [key: string]: unknown;
}

export class Catalog {
  constructor(private readonly platform: Platform) {}

  async findByName(name: string): Promise<Dataset | undefined> {
    const found = await this.platform.get<Record<string, Omit<Dataset, 'id'>>>(`${CATALOG}/dataSets`, { property: `name==${name}`, limit: 10 });
    const [id, dataset] = Object.entries(found ?? {}).find(([, item]) => item.name === name) ?? [];
    return id ? ({ ...dataset, id } as Dataset) : undefined;
  }

  async get(id: string): Promise<Dataset | undefined> {
    const found = await unlessNotFound(this.platform.get<Record<string, Omit<Dataset, 'id'>>>(`${CATALOG}/dataSets/${id}`));
    return found?.[id] ? ({ ...found[id], id } as Dataset) : undefined;
  }

  /** Creates a dataset and returns its id (Catalog answers ["@/dataSets/<id>"]). */
  async create(body: Record<string, unknown>): Promise<string> {
    const { body: refs } = await this.platform.request<string[]>({ method: 'POST', path: `${CATALOG}/dataSets`, query: { requestDataSource: true }, body });
    const id = /@\/dataSets\/([^/]+)$/.exec(refs?.[0] ?? '')?.[1];
    if (!id) throw new Error(`Catalog answered the dataset create with ${JSON.stringify(refs)}, not ["@/dataSets/<id>"]`);
    return id;
  }

  async delete(id: string): Promise<void> {
    await unlessNotFound(this.platform.request({ method: 'DELETE', path: `${CATALOG}/dataSets/${id}` }));
  }
}
