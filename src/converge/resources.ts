// The kinds table lives in kinds/ (one file per kind, registered in kinds/index.ts).
export { DATASET_SCHEMA_CONTENT_TYPE } from '../aep/catalog.js';
