// The shape of a dataflow template (templates/*.json, validated by templates/template.schema.json).
// `_{TENANT_ID}` in a destination stands for the org's tenant namespace (`_<tenantId>`), filled in
// at run time from Schema Registry's /stats.

/** Stands for the org's tenant namespace (`_<tenantId>`) at the start of a destination path. */
export const TENANT_PLACEHOLDER = '_{TENANT_ID}';

export interface TemplateMapping {
  /** A source column (a Zoho API field name) or a dotted path into a lookup, e.g. `Owner.id`. */
  source?: string;
  /** A Data Prep calculated field instead of a column, e.g. `concat(First_Name, " ", Last_Name)`. */
  expression?: string;
  /** XDM path in the target schema, e.g. `person.name.firstName` or `_{TENANT_ID}.zoho.industry`. */
  destination: string;
  /** Columns a calculated field reads (checked against the table like `source`). */
  columns?: string[];
}

export interface Template {
  $schema?: string;
  /** Template name: the `--template` value and the key in the state file. */
  name: string;
  description: string;
  source: {
    /** The Zoho module's API name (explore's `name`), e.g. `Accounts`; resolved to the table path. */
    table: string;
    /** Column for incremental ingestion (the Copy transformation's deltaColumn). */
    deltaColumn: string;
    dateFormat?: string;
    timezone?: string;
  };
  target: {
    schema: {
      title: string;
      description: string;
      /** Standard XDM class `$id`, e.g. https://ns.adobe.com/xdm/context/profile. */
      class: string;
      /** Used when the org lacks `class` (B2B classes): aep-zoho creates this tenant class instead. */
      fallbackClass?: { title: string; description: string; behavior: 'record' | 'time-series' };
      /** Standard field groups (`$id`s) to add to the schema. */
      fieldGroups?: string[];
    };
    /** The tenant field group for Zoho fields with no standard home (destinations under `_{TENANT_ID}`). */
    fieldGroup: { title: string; description: string };
    dataset: { name: string; description: string; profileEnabled?: boolean };
  };
  mappings: TemplateMapping[];
  /** An identity descriptor on the schema, where a standard namespace fits (ruling 8). */
  identity?: { source: string; destination: string; namespace: string; primary: boolean };
  schedule: { frequency: 'once' | 'minute' | 'hour' | 'day' | 'week'; interval?: number; backfill?: boolean };
  /**
   * Records deleted in Zoho (http-api path): `soft` posts each as a tombstone the mapping set maps to
   * XDM `isDeleted: true` (the Record Status field, or a tenant field for classes without it);
   * `report` (the default) only counts them.
   */
  deletes?: 'soft' | 'report';
}

/**
 * The raw column that tells a tombstone from a record (http-api path, `deletes: soft`): `true` on a
 * tombstone, `false` on every record, mapped to the template's isDeleted field. Zoho's API names
 * start with a letter, so it never meets a Zoho field.
 */
export const TOMBSTONE_COLUMN = '_aep_zoho_deleted';

export interface LoadedTemplate {
  template: Template;
  /** Absolute path of the file it came from. */
  file: string;
  builtIn: boolean;
}
