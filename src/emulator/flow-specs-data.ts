// The flow specs the emulated Flow Service offers (aep-api.md §8.1, ruling 2): CRMToAEP, whose
// sources include Zoho CRM, and CloudStorageToAEP, whose sources do not, so a flow created on the
// wrong spec (the crm.md doc bug) is rejected as Adobe rejects it. Shapes follow Adobe's published
// GET /flowSpecs responses (table-dataflow-template.md, the spec's FlowSpecItemDTO examples).
import {
  CLOUD_STORAGE_FLOW_SPEC_ID,
  CRM_FLOW_SPEC_ID,
  DATA_LAKE_SPEC_ID,
  HTTP_API_SPEC_ID,
  SALESFORCE_SPEC_ID,
  STREAMING_FLOW_SPEC_ID,
  STREAMING_XDM_FLOW_SPEC_ID,
  ZOHO_SPEC_ID,
} from './specs-data.js';

const PROVIDER_ID = '0ed90a81-07f4-4586-8190-b40eccef1c5a';
const SCHEMA = 'http://json-schema.org/draft-07/schema#';

/** The periodic schedule both specs share: a JSON schema with if/then/else on `frequency`. */
export const PERIODIC_SCHEDULE_SPEC = {
  name: 'PeriodicSchedule',
  type: 'Periodic',
  spec: {
    $schema: SCHEMA,
    type: 'object',
    properties: {
      startTime: { description: 'epoch time', type: 'integer' },
      frequency: { type: 'string', enum: ['once', 'minute', 'hour', 'day', 'week'] },
      interval: { type: 'integer' },
      backfill: { type: 'boolean', default: true },
    },
    required: ['startTime', 'frequency'],
    if: { properties: { frequency: { const: 'once' } } },
    then: { allOf: [{ not: { required: ['interval'] } }, { not: { required: ['backfill'] } }] },
    else: {
      required: ['interval'],
      if: { properties: { frequency: { const: 'minute' } } },
      then: { properties: { interval: { minimum: 15 } } },
      else: { properties: { interval: { minimum: 1 } } },
    },
  },
};

const deltaColumn = {
  type: 'object',
  properties: { name: { type: 'string' }, dateFormat: { type: 'string' }, timezone: { type: 'string' } },
  required: ['name'],
};

const COPY_TRANSFORMATION = {
  name: 'Copy',
  spec: { $schema: SCHEMA, type: 'object', properties: { deltaColumn }, required: ['deltaColumn'] },
};

const MAPPING_TRANSFORMATION = {
  name: 'Mapping',
  spec: {
    $schema: SCHEMA,
    type: 'object',
    description: 'defines various params required for different mapping from source to target',
    properties: { mappingId: { type: 'string' }, mappingVersion: { type: 'string' } },
  },
};

const OPTION_SPEC = {
  name: 'OptionSpec',
  spec: {
    $schema: SCHEMA,
    type: 'object',
    properties: {
      errorDiagnosticsEnabled: {
        title: 'Error diagnostics.',
        description: 'Flag to enable detailed and sample error diagnostics summary.',
        type: 'boolean',
        default: false,
      },
      partialIngestionPercent: {
        title: 'Partial ingestion threshold.',
        description: 'Percentage which defines the threshold of errors allowed before the run is marked as failed.',
        type: 'number',
        exclusiveMinimum: 0,
      },
    },
  },
};

const epochParam = (description: string) => ({ type: 'integer', description });

const RUN_SPEC = {
  name: 'ProviderParams',
  spec: {
    $schema: SCHEMA,
    type: 'object',
    description: 'defines various params required for creating flow run.',
    properties: {
      startTime: epochParam(
        'An integer that defines the start time of the run. The value is represented in Unix epoch time.',
      ),
      windowStartTime: epochParam(
        'An integer that defines the start time of the window against which data is to be pulled. The value is represented in Unix epoch time.',
      ),
      windowEndTime: epochParam(
        'An integer that defines the end time of the window against which data is to be pulled. The value is represented in Unix epoch time.',
      ),
      deltaColumn: {
        ...deltaColumn,
        description:
          'The delta column is required to partition the data and separate newly ingested data from historic data.',
      },
    },
    required: ['startTime', 'windowStartTime', 'windowEndTime', 'deltaColumn'],
  },
};

const PERMISSIONS = {
  view: [{ '@type': 'lowLevel', name: 'EnterpriseSource', permissions: ['read'] }],
  manage: [{ '@type': 'lowLevel', name: 'EnterpriseSource', permissions: ['write'] }],
};

/** CRM and similar table sources (Adobe's list; Salesforce and Zoho CRM among them). */
const CRM_SOURCE_SPEC_IDS = [
  '3416976c-a9ca-4bba-901a-1f08f66978ff',
  '38ad80fe-8b06-4938-94f4-d4ee80266b07',
  'd771e9c1-4f26-40dc-8617-ce58c4b53702',
  '3c9b37f8-13a6-43d8-bad3-b863b941fedd',
  'cc6a4487-9e91-433e-a3a3-9cf6626c1806',
  '3000eb99-cd47-43f3-827c-43caf170f015',
  '26d738e0-8963-47ea-aadf-c60de735468a',
  '74a1c565-4e59-48d7-9d67-7c03b8a13137',
  SALESFORCE_SPEC_ID,
  '4f63aa36-bd48-4e33-bb83-49fbcd11c708',
  'cb66ab34-8619-49cb-96d1-39b37ede86ea',
  'eb13cb25-47ab-407f-ba89-c0125281c563',
  '1f372ff9-38a4-4492-96f5-b9a4e4bd00ec',
  '37b6bf40-d318-4655-90be-5cd6f65d334b',
  'a49bcc7d-8038-43af-b1e4-5a7a089a7d79',
  '221c7626-58f6-4eec-8ee2-042b0226f03b',
  'a8b6a1a4-5735-42b4-952c-85dce0ac38b5',
  '6a8d82bc-1caf-45d1-908d-cadabc9d63a6',
  'aac9bbd4-6c01-46ce-b47e-51c6f0f6db3f',
  '8e6b41a8-d998-4545-ad7d-c6a9fff406c3',
  'ecde33f2-c56f-46cc-bdea-ad151c16cd69',
  '102706fb-a5cd-42ee-afe0-bc42f017ff43',
  '09182899-b429-40c9-a15a-bf3ddbc8ced7',
  '0479cc14-7651-4354-b233-7480606c2ac3',
  'd6b52d86-f0f8-475f-89d4-ce54c8527328',
  'a8f4d393-1a6b-43f3-931f-91a16ed857f4',
  '1fe283f6-9bec-11ea-bb37-0242ac130002',
  'fcad62f3-09b0-41d3-be11-449d5a621b69',
  'ea1c2a08-b722-11eb-8529-0242ac130003',
  '35d6c4d8-c9a9-11eb-b8bc-0242ac130003',
  'ff4274f2-c9a9-11eb-b8bc-0242ac130003',
  'ba5126ec-c9ac-11eb-b8bc-0242ac130003',
  'b2e08744-4f1a-40ce-af30-7abac3e23cf3',
  ZOHO_SPEC_ID,
  '2acf109f-9b66-4d5e-bc18-ebb2adcff8d5',
  '2fa8af9c-2d1a-43ea-a253-f00a00c74412',
];

/** Cloud storage sources (S3, Azure Blob, GCS, SFTP…): file based, never Zoho. */
const CLOUD_STORAGE_SOURCE_SPEC_IDS = [
  'b3ba5556-48be-44b7-8b85-ff2b69b46dc4',
  'ecadc60c-7455-4d87-84dc-2a0e293d997b',
  'b7829c2f-2eb0-4f49-a6ee-55e33008b629',
  '4c10e202-c428-4796-9208-5f1f5732b1cf',
  'fb2e94c9-c031-467d-8103-6bd6e0a432f2',
  '32e8f412-cdf7-464c-9885-78184cb113fd',
  'b7bf2577-4520-42c9-bae9-cad01560f7bc',
  '998b8ae3-cec0-43b7-8abe-40b1eb4ee069',
  'be5ec48c-5b78-49d5-b8fa-7c89ec4569b8',
  '54e221aa-d342-4707-bcff-7a4bceef0001',
  'c85f9425-fb21-426c-ad0b-405e9bd8a46c',
];

const sourceFlowAttributes = {
  isSourceFlow: true,
  flacValidationSupported: true,
  frequency: 'batch',
  notification: { category: 'sources', flowRun: { enabled: true } },
};

export type FlowSpec = Record<string, any> & {
  id: string;
  name: string;
  sourceConnectionSpecIds: string[];
  targetConnectionSpecIds: string[];
};

export const FLOW_SPECS: FlowSpec[] = [
  {
    id: CRM_FLOW_SPEC_ID,
    name: 'CRMToAEP',
    providerId: PROVIDER_ID,
    version: '1.0',
    attributes: sourceFlowAttributes,
    sourceConnectionSpecIds: CRM_SOURCE_SPEC_IDS,
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    permissionsInfo: PERMISSIONS,
    optionSpec: OPTION_SPEC,
    scheduleSpec: PERIODIC_SCHEDULE_SPEC,
    transformationSpec: [COPY_TRANSFORMATION, MAPPING_TRANSFORMATION],
    runSpec: RUN_SPEC,
  },
  {
    id: CLOUD_STORAGE_FLOW_SPEC_ID,
    name: 'CloudStorageToAEP',
    providerId: PROVIDER_ID,
    version: '1.0',
    attributes: sourceFlowAttributes,
    sourceConnectionSpecIds: CLOUD_STORAGE_SOURCE_SPEC_IDS,
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    permissionsInfo: PERMISSIONS,
    optionSpec: OPTION_SPEC,
    scheduleSpec: PERIODIC_SCHEDULE_SPEC,
    transformationSpec: [MAPPING_TRANSFORMATION],
  },
];

// The HTTP API streaming source's flow specs: no schedule, no Copy; c1a19761 takes a Mapping and
// is the one for raw data, d8a6f005 takes none (http.md@c3aba92). Names are UNVERIFIED
// (aep-fallback.md §1.5): the CLI looks them up by id and checks sourceConnectionSpecIds.
const streamingFlowAttributes = {
  isSourceFlow: true,
  flacValidationSupported: false,
  frequency: 'streaming',
  notification: { category: 'sources', flowRun: { enabled: false } },
};
FLOW_SPECS.push(
  {
    id: STREAMING_FLOW_SPEC_ID,
    name: 'Mapping-Streaming',
    providerId: '521eee4d-8cbe-4906-bb48-fb6bd4450033',
    version: '1.0',
    attributes: streamingFlowAttributes,
    sourceConnectionSpecIds: [HTTP_API_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    permissionsInfo: PERMISSIONS,
    transformationSpec: [MAPPING_TRANSFORMATION],
  },
  {
    id: STREAMING_XDM_FLOW_SPEC_ID,
    name: 'Streaming',
    providerId: '521eee4d-8cbe-4906-bb48-fb6bd4450033',
    version: '1.0',
    attributes: streamingFlowAttributes,
    sourceConnectionSpecIds: [HTTP_API_SPEC_ID],
    targetConnectionSpecIds: [DATA_LAKE_SPEC_ID],
    permissionsInfo: PERMISSIONS,
    transformationSpec: [],
  },
);

/** A flow spec without a schedule: records arrive when someone posts them to the inlet. */
export const isStreaming = (spec: FlowSpec): boolean => !spec.scheduleSpec;

export const findFlowSpec = (id: string): FlowSpec | undefined => FLOW_SPECS.find((spec) => spec.id === id);
