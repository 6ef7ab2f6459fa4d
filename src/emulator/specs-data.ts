// The connection and flow specs the emulated Flow Service offers: the ones aep-zoho uses, with the
// ids Adobe documents (aep-api.md §0), plus a neighbour so lookups by id are really checked.

export const ZOHO_SPEC_ID = '929e4450-0237-4ed2-9404-b7e1e0a00309';
export const DATA_LAKE_SPEC_ID = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
export const SALESFORCE_SPEC_ID = 'cfc0fee1-7dc0-40ef-b73e-d8b134c436f5';
export const CRM_FLOW_SPEC_ID = '14518937-270c-4525-bdec-c2ba7cce3860';
export const CLOUD_STORAGE_FLOW_SPEC_ID = '9753525b-82c7-4dce-8a9b-5ccfce2b9876';
const PROVIDER_ID = '0ed90a81-07f4-4586-8190-b40eccef1c5a';
/** The HTTP API streaming source and its two flow specs (aep-fallback.md §1; http.md@c3aba92). */
export const HTTP_API_SPEC_ID = 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb';
/** Streaming flow with a Mapping transformation (raw data through Data Prep). */
export const STREAMING_FLOW_SPEC_ID = 'c1a19761-d2c7-4702-b9fa-fe91f0613e81';
/** Streaming flow without transformations (XDM data). */
export const STREAMING_XDM_FLOW_SPEC_ID = 'd8a6f005-7eaf-4153-983e-e8574508b877';
const STREAMING_PROVIDER_ID = '521eee4d-8cbe-4906-bb48-fb6bd4450033';

/** Zoho auth params Adobe documents; the secret ones are masked when a connection is read back. */
export const ZOHO_AUTH_PARAMS = [
  'endpoint',
  'accountsUrl',
  'clientId',
  'clientSecret',
  'accessToken',
  'refreshToken',
] as const;
export const SECRET_AUTH_PARAMS = new Set(['clientSecret', 'accessToken', 'refreshToken']);

const stringParam = (description: string, secret = false) => ({
  type: 'string',
  description,
  ...(secret ? { format: 'password' } : {}),
});

export const CONNECTION_SPECS: Array<Record<string, any> & { id: string }> = [
  {
    id: ZOHO_SPEC_ID,
    name: 'zoho-crm',
    providerId: PROVIDER_ID,
    version: '1.0',
    authSpec: [
      {
        name: 'Basic Authentication',
        type: 'Basic Authentication',
        spec: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          description: 'Define auth params required for connecting to Zoho CRM.',
          properties: {
            endpoint: stringParam('The Zoho CRM API domain, e.g. https://www.zohoapis.com.'),
            accountsUrl: stringParam("The Zoho accounts server of the account's data centre."),
            clientId: stringParam('Client ID of the Zoho OAuth client.'),
            clientSecret: stringParam('Client secret of the Zoho OAuth client.', true),
            accessToken: stringParam('Zoho OAuth access token.', true),
            refreshToken: stringParam('Zoho OAuth refresh token.', true),
          },
          required: ['endpoint', 'accountsUrl', 'clientId', 'clientSecret', 'accessToken', 'refreshToken'],
        },
      },
    ],
    sourceSpec: {
      attributes: {
        uiAttributes: {
          isSource: true,
          isPreview: false,
          isBeta: false,
          category: 'CRM',
          icon: 'zohoCRM',
          description: 'Zoho CRM source',
          label: 'Zoho CRM',
        },
      },
      spec: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        description: 'Source connection params.',
        properties: {
          tableName: { type: 'string', description: 'The table path from explore.' },
          columns: { type: 'array' },
        },
        required: ['tableName'],
      },
    },
    exploreSpec: { name: 'Table', type: 'Table', requestSpec: {}, responseSpec: {} },
    attributes: { category: 'CRM', connectorName: 'Zoho CRM', isSource: true, isPreview: false },
    permissionsInfo: {
      view: [{ '@type': 'lowLevel', name: 'SourceConnection', permissions: ['read'] }],
      manage: [{ '@type': 'lowLevel', name: 'SourceConnection', permissions: ['write'] }],
    },
  },
  {
    // Adobe's tutorial posts auth.specName "Streaming Connection" with params.dataType raw|xdm, and
    // for an authenticated inlet sourceId, name and authenticationRequired: true. The inlet id and
    // URL are Adobe's, added when the connection is created ("automatically created with the
    // connection"). The spec's own name and schema wording are the emulator's (UNVERIFIED).
    id: HTTP_API_SPEC_ID,
    name: 'HTTP API',
    providerId: STREAMING_PROVIDER_ID,
    version: '1.0',
    authSpec: [
      {
        name: 'Streaming Connection',
        type: 'Streaming Connection',
        spec: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          description: 'Define auth params required for an HTTP API streaming connection.',
          properties: {
            dataType: {
              type: 'string',
              enum: ['raw', 'xdm'],
              description: "raw: JSON mapped by the flow's mapping set; xdm: XDM messages.",
            },
            sourceId: { type: 'string', description: 'An identifier of the data source (authenticated connections).' },
            name: { type: 'string', description: 'A name for the data source (authenticated connections).' },
            authenticationRequired: {
              type: 'boolean',
              default: false,
              description: 'Whether the inlet requires an IMS access token.',
            },
          },
          required: ['dataType'],
        },
      },
    ],
    sourceSpec: {
      attributes: { uiAttributes: { isSource: true, category: 'Streaming', label: 'HTTP API' } },
      spec: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        description: 'Source connection params.',
        properties: {},
      },
    },
    attributes: { category: 'Streaming', connectorName: 'HTTP API', isSource: true, isPreview: false },
  },
  {
    id: SALESFORCE_SPEC_ID,
    name: 'salesforce',
    providerId: PROVIDER_ID,
    version: '1.0',
    authSpec: [
      {
        name: 'Basic Authentication',
        type: 'Basic Authentication',
        spec: { type: 'object', properties: {}, required: ['username', 'password', 'securityToken'] },
      },
    ],
    attributes: { category: 'CRM', connectorName: 'Salesforce', isSource: true },
  },
  {
    id: DATA_LAKE_SPEC_ID,
    name: 'Data Lake',
    providerId: PROVIDER_ID,
    version: '1.0',
    authSpec: [],
    targetSpec: { spec: { type: 'object', properties: { dataSetId: { type: 'string' } }, required: ['dataSetId'] } },
    attributes: { category: 'Destination', connectorName: 'Data Lake', isDestination: true },
  },
];
