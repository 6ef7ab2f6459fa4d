// TODO(stub): the synthetic Zoho CRM behind explore; filled in by its owner.

export interface CrmColumn {
  name: string;
  type: string;
  xdm: { type: string; format?: string };
  'meta:xdmType'?: string;
}

export interface CrmTable {
  /** Display name in explore's root listing: the Zoho module's API name, e.g. Accounts. */
  name: string;
  /** What explore's `object=` and a source connection's `params.tableName` take. */
  path: string;
  columns: CrmColumn[];
  rows: Record<string, unknown>[];
}

export function crmTables(): CrmTable[] {
  return [];
}

export function findTable(path: string): CrmTable | undefined {
  return crmTables().find((table) => table.path === path);
}
