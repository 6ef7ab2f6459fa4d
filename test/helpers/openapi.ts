// Checks recorded emulator exchanges against Adobe's published OpenAPI files (shared/specs/), so
// the emulator cannot drift from the real contract unnoticed. Libraries do the spec work:
//   yaml                                           parses the spec files
//   swagger2openapi                                turns schema-registry.yaml (Swagger 2.0) into OpenAPI 3.0
//   @openapi-contrib/openapi-schema-to-json-schema turns OpenAPI schema objects into JSON Schema
//                                                  (drops `example`, `readOnly`, ...; converts `nullable`)
//   openapi-backend                                matches path templates, resolves $refs and validates
//                                                  parameters, request bodies and responses with Ajv 8
//   ajv-formats                                    checks `date-time`, `uri`, ... (formats the specs use)
// This file adds only what no library can know: which spec serves which path prefix, two
// normalisations, and aep-api.md §9's list of places where Adobe's docs win over the spec
// (ALLOWANCES below). Everything else the spec rejects is reported.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import type { ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { OpenAPIBackend, type Operation } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';
import type { Exchange } from '../../src/emulator/server.js';

const require = createRequire(import.meta.url);
const swagger2openapi = require('swagger2openapi') as {
  convertObj(spec: object, options: { patch?: boolean; warnOnly?: boolean }): Promise<{ openapi: OpenApiDoc }>;
};

// ---------------------------------------------------------------------------------------------
// Which spec answers which path

export type SpecName = 'flow-service' | 'catalog' | 'schema-registry' | 'data-prep';

/** Path prefix → spec file. IMS (/ims/...) and Zoho (/oauth/...) have no Adobe spec: not checked. */
export const SPEC_PREFIXES: ReadonlyArray<{ prefix: string; spec: SpecName }> = [
  { prefix: '/data/foundation/flowservice', spec: 'flow-service' },
  { prefix: '/data/foundation/catalog', spec: 'catalog' },
  { prefix: '/data/foundation/schemaregistry', spec: 'schema-registry' }, // Swagger 2.0 basePath
  { prefix: '/data/foundation/conversion', spec: 'data-prep' },
];

/**
 * Error statuses Adobe really answers although an operation does not declare them (aep-api.md §9:
 * "400, 404, 409, 412 on Flow Service ... are Adobe's real error answers"; §10: the gateway's 401
 * and 403 on any Platform API). Their bodies are Adobe's error bodies, which no spec describes, so
 * they are not schema-checked. Any other undeclared status, and every undeclared 2xx, is reported.
 */
export const UNDECLARED_ERROR_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 409, 412]);

// ---------------------------------------------------------------------------------------------
// Where Adobe's docs win over the spec (aep-api.md §9, "Where the docs win over the spec")
//
// Each allowance widens the spec at exactly one named place, before validators are compiled, and
// throws if that place is gone (a newer spec must be looked at again, not silently accepted).

type Json = any; // spec documents are plain parsed YAML
interface OpenApiDoc {
  openapi?: string;
  swagger?: string;
  paths: Record<string, Record<string, Json>>;
  components?: { schemas?: Record<string, Json>; parameters?: Record<string, Json> };
  [key: string]: Json;
}

export interface Allowance {
  spec: SpecName;
  /** What Adobe's docs do that the spec forbids. */
  why: string;
  apply(doc: OpenApiDoc): void;
}

export const ALLOWANCES: readonly Allowance[] = [
  {
    spec: 'flow-service',
    why: 'explore `objectType` is lowercase (`root`, `table`) in every Adobe tutorial; the spec enum is uppercase',
    apply(doc) {
      const param = parameter(
        operation(doc, 'get', '/connections/{BASE_CONNECTION_ID}/explore'),
        'query',
        'objectType',
      );
      param.schema.enum = [...param.schema.enum, ...param.schema.enum.map((value: string) => value.toLowerCase())];
    },
  },
  {
    spec: 'flow-service',
    why: 'explore `preview=true` (data rows) is documented but not declared',
    apply(doc) {
      operation(doc, 'get', '/connections/{BASE_CONNECTION_ID}/explore').parameters.push({
        name: 'preview',
        in: 'query',
        schema: { type: 'boolean' },
      });
    },
  },
  {
    spec: 'flow-service',
    why: 'JSON Patch `op` is lowercase (`add`, `replace`, `remove`) as in RFC 6902 and the tutorials; the spec enum is uppercase',
    apply(doc) {
      const op = schema(doc, 'PatchInstruction').properties.op;
      op.enum = [...op.enum, ...op.enum.map((value: string) => value.toLowerCase())];
    },
  },
  {
    spec: 'flow-service',
    why: 'JSON Patch `value` may be a string (e.g. "day") or an array; the spec types it `object`',
    apply(doc) {
      const properties = schema(doc, 'PatchInstruction').properties;
      properties.value = { anyOf: [properties.value, { type: 'string' }, { type: 'array' }] };
    },
  },
  {
    spec: 'flow-service',
    why: 'PATCH bodies are JSON Patch arrays of instructions; the spec declares one PatchInstruction object',
    apply(doc) {
      const ref = '#/components/schemas/PatchInstruction';
      const patches = Object.entries(doc.paths).flatMap(([path, item]) =>
        item.patch ? [[path, item.patch] as const] : [],
      );
      const uses = patches.filter(([, op]) => op.requestBody?.content?.['application/json']?.schema?.$ref === ref);
      if (!uses.length) throw new Error('no PATCH operation takes a PatchInstruction');
      for (const [, op] of uses) {
        op.requestBody.content['application/json'].schema = {
          anyOf: [{ $ref: ref }, { type: 'array', minItems: 1, items: { $ref: ref } }],
        };
      }
    },
  },
  {
    spec: 'flow-service',
    why: "explore's table (schema/preview) response is an object `{format, schema, data}`; the spec only declares the root listing's array",
    apply(doc) {
      const explore = operation(doc, 'get', '/connections/{BASE_CONNECTION_ID}/explore');
      const media = explore.responses['200'].content['application/json'];
      media.schema = {
        anyOf: [
          media.schema,
          {
            type: 'object',
            required: ['format', 'schema'],
            properties: {
              format: { type: 'string' },
              schema: {
                type: 'object',
                properties: { columns: { type: 'array', items: { type: 'object', required: ['name'] } } },
              },
              data: { type: 'array', items: { type: 'object' } },
            },
          },
        ],
      };
    },
  },
  {
    spec: 'flow-service',
    why: 'flow actions take a lowercase `op` (`enable`, `disable`) and no `subOp`, as the docs and aepp send them; the spec enum is uppercase and declares subOp required',
    apply(doc) {
      const op = operation(doc, 'post', '/flows/{FLOW_ID}/action');
      const param = parameter(op, 'query', 'op');
      param.schema.enum = [...param.schema.enum, ...param.schema.enum.map((value: string) => value.toLowerCase())];
      parameter(op, 'query', 'subOp').required = false;
    },
  },
  {
    spec: 'flow-service',
    why: 'Flow Service GETs give every `scheduleParams` value as a string (`"startTime":"1612310466"`, `"backfill":"true"`); the spec types startTime integer and backfill boolean',
    apply(doc) {
      const properties = schema(doc, 'FlowItemDTO').properties;
      if (!properties.scheduleParams) throw new Error('FlowItemDTO has no scheduleParams');
      const digits = { type: 'string', pattern: '^\\d+$' };
      const asStrings = {
        type: 'object',
        properties: {
          startTime: digits,
          frequency: { type: 'string' },
          interval: digits,
          backfill: { type: 'string', enum: ['true', 'false'] },
        },
      };
      properties.scheduleParams = { anyOf: [properties.scheduleParams, asStrings] };
    },
  },
  {
    spec: 'flow-service',
    why: "an HTTP API streaming source connection is created without `data` (and without params), as Adobe's streaming tutorial posts it (http.md; aep-api.md ruling 19); the spec requires `data` on every source connection",
    apply(doc) {
      const request = schema(doc, 'CreateSourceConnectionRequest');
      if (!request.required?.includes('data')) throw new Error('CreateSourceConnectionRequest no longer requires data');
      const streaming = {
        ...request,
        required: request.required.filter((key: string) => key !== 'data'),
        properties: {
          ...request.properties,
          connectionSpec: {
            type: 'object',
            required: ['id'],
            properties: { id: { const: 'bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb' } },
          },
        },
      };
      doc.components!.schemas!.CreateSourceConnectionRequest = { anyOf: [{ ...request }, streaming] };
    },
  },
  {
    spec: 'catalog',
    why: '`POST /dataSets?requestDataSource=true` is documented but the parameter is not declared',
    apply(doc) {
      const op = operation(doc, 'post', '/dataSets');
      (op.parameters ??= []).push({ name: 'requestDataSource', in: 'query', schema: { type: 'boolean' } });
    },
  },
  {
    spec: 'schema-registry',
    why: 'descriptors carry an integer `xdm:sourceVersion` (docs and the spec example); the request schema says string',
    apply(doc) {
      const property = schema(doc, 'createDescriptor').properties['xdm:sourceVersion'];
      if (!property) throw new Error('createDescriptor has no xdm:sourceVersion');
      schema(doc, 'createDescriptor').properties['xdm:sourceVersion'] = { anyOf: [property, { type: 'integer' }] };
    },
  },
  {
    spec: 'schema-registry',
    why: '`GET /stats` gives `classUsage` as an object; the spec types it an array',
    apply(doc) {
      const properties = schema(doc, 'statsResponse').properties;
      properties.classUsage = { anyOf: [properties.classUsage, { type: 'object' }] };
    },
  },
  {
    spec: 'schema-registry',
    why: 'Schema Registry JSON Patch `value`s are any JSON (a field definition object, a `$ref` object, an array of tags); the spec types `value` as a string',
    apply(doc) {
      const properties = deref(doc, schema(doc, 'patchSchema').items).properties;
      properties.value = {
        anyOf: [properties.value, { type: 'object' }, { type: 'array' }, { type: 'number' }, { type: 'boolean' }],
      };
    },
  },
  {
    spec: 'schema-registry',
    why: 'a descriptor PUT answers 201 with `{"@id"}` (descriptors.md, aep-updates.md §0.6); the spec declares 200 with the descriptor. NOT YET IN aep-api.md §9',
    apply(doc) {
      const responses = operation(doc, 'put', '/tenant/descriptors/{DESCRIPTOR_ID}').responses;
      if (!responses['200']) throw new Error('PUT /tenant/descriptors/{DESCRIPTOR_ID} declares no 200');
      responses['201'] = {
        description: 'Updated',
        content: {
          'application/json': {
            schema: { type: 'object', required: ['@id'], properties: { '@id': { type: 'string' } } },
          },
        },
      };
    },
  },
  {
    spec: 'data-prep',
    why: 'DELETE /mappingSets/{id} is sent (aepp does; issue 12 asks the CLI to try it) and answered 405: the API has no such operation. NOT YET IN aep-api.md §9',
    apply(doc) {
      const item = doc.paths['/mappingSets/{MAPPING_SET_ID}'];
      if (!item?.get || item.delete)
        throw new Error('/mappingSets/{MAPPING_SET_ID} has no GET, or now declares DELETE');
      item.delete = {
        operationId: 'deleteMappingSet (not in the spec)',
        parameters: item.get.parameters.filter((p: Json) => p.in === 'path'),
        responses: { '405': { description: 'Method Not Allowed' } },
      };
    },
  },
  {
    spec: 'data-prep',
    why: 'validate answers `"errors": null` for a mapping without errors (the spec example); the schema types errors as an array',
    apply(doc) {
      const properties = schema(doc, 'ValidationResponse').properties;
      properties.errors = { anyOf: [properties.errors, { type: 'null' }] };
    },
  },
  {
    spec: 'data-prep',
    why: "stored mappings come back with Data Prep's stored source types (`text/x.schema-path`, `text/x.aep-xl`, `text/plain`; mapping-set.md, aep-api.md §7); the enum lists only ATTRIBUTE, EXPRESSION, STATIC. NOT YET IN aep-api.md §9",
    apply(doc) {
      const sourceType = schema(doc, 'SourceType');
      sourceType.enum = [...sourceType.enum, 'text/x.schema-path', 'text/x.aep-xl', 'text/plain'];
    },
  },
  {
    spec: 'data-prep',
    why: 'Data Prep dates (`createdDate`, `modifiedDate`, ...) are epoch milliseconds; the spec says `date-time` strings',
    apply(doc) {
      let count = 0;
      walkSchemas(doc, (node) => {
        for (const [key, property] of Object.entries<Json>(node.properties ?? {})) {
          if (property?.type === 'string' && property.format === 'date-time') {
            node.properties[key] = { anyOf: [property, { type: 'integer', minimum: 0 }] };
            count++;
          }
        }
      });
      if (!count) throw new Error('no date-time property in data-prep.yaml');
    },
  },
  ...(['flow-service', 'catalog', 'schema-registry', 'data-prep'] as const).map(
    (spec): Allowance => ({
      spec,
      why: 'list pages say `"next": null` on the last page (`_page.next`, `_links.next`); the spec types `next` as a string or object',
      apply(doc) {
        const widened = new Set<Json>();
        walkSchemas(doc, (node) => {
          for (const key of ['_page', '_links']) {
            const target = node.properties?.[key] && deref(doc, node.properties[key]);
            if (!target?.properties?.next || widened.has(target)) continue;
            target.properties.next = { anyOf: [target.properties.next, { type: 'null' }] };
            widened.add(target);
          }
        });
      },
    }),
  ),
];

// ---------------------------------------------------------------------------------------------
// Loading

export interface LoadedSpec {
  name: SpecName;
  prefix: string;
  api: OpenAPIBackend;
}

let loading: Promise<Map<SpecName, LoadedSpec>> | undefined;
let loaded: Map<SpecName, LoadedSpec> | undefined;

/** Loads, normalises and compiles the four specs once per process; await it before validating. */
export function loadSpecs(): Promise<Map<SpecName, LoadedSpec>> {
  loading ??= (async () => {
    const dir = specsDir();
    const specs = await Promise.all(
      SPEC_PREFIXES.map(({ prefix, spec }) => loadSpec(join(dir, `${spec}.yaml`), spec, prefix)),
    );
    loaded = new Map(specs.map((spec) => [spec.name, spec]));
    return loaded;
  })();
  return loading;
}

/** The specs live in shared/specs beside the repo; AEP_SPECS_DIR overrides. */
export function specsDir(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const candidates = [
    process.env.AEP_SPECS_DIR,
    join(repo, '../shared/specs'),
    join(repo, 'shared/specs'),
    '/work/shared/specs',
  ];
  const found = candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'flow-service.yaml')));
  if (!found)
    throw new Error(
      `Adobe's OpenAPI files not found (looked in ${candidates.filter(Boolean).join(', ')}); set AEP_SPECS_DIR`,
    );
  return found;
}

async function loadSpec(file: string, name: SpecName, prefix: string): Promise<LoadedSpec> {
  let doc = parseYaml(readFileSync(file, 'utf8')) as OpenApiDoc;
  if (doc.swagger) doc = (await swagger2openapi.convertObj(doc, { patch: true, warnOnly: true })).openapi;
  mergeTrailingSlashPaths(doc);
  for (const allowance of ALLOWANCES.filter((candidate) => candidate.spec === name)) {
    try {
      allowance.apply(doc);
    } catch (error) {
      throw new Error(`${name}.yaml: allowance "${allowance.why}" no longer applies: ${(error as Error).message}`);
    }
  }
  convertSchemas(doc);
  const api = new OpenAPIBackend({
    definition: doc as never,
    validate: true,
    strict: false,
    quick: true, // compile each operation's validators when first used; skip the meta-validation of Adobe's file
    ajvOpts: { strict: false, allErrors: true, logger: false },
    customizeAjv: (ajv) => {
      addFormats.default(ajv);
      ajv.addFormat('parquet', true); // catalog.yaml uses `format: parquet` for a file format name, not a string format
      return ajv;
    },
  });
  await api.init();
  return { name, prefix, api };
}

/**
 * Normalisation 1: flow-service.yaml declares PATCH/DELETE on `/connections/{BASE_CONNECTION_ID}/`
 * (trailing slash) and GET on `/connections/{BASE_CONNECTION_ID}`. Requests are matched without a
 * trailing slash, so each `/x/` path's operations move to `/x`.
 */
function mergeTrailingSlashPaths(doc: OpenApiDoc): void {
  for (const path of Object.keys(doc.paths)) {
    if (path.length < 2 || !path.endsWith('/')) continue;
    const bare = path.replace(/\/+$/, '');
    const target = (doc.paths[bare] ??= {});
    for (const [key, value] of Object.entries(doc.paths[path])) {
      if (key in target && key !== 'parameters') throw new Error(`${path} and ${bare} both declare ${key}`);
      target[key] = key === 'parameters' ? [...(target.parameters ?? []), ...value] : value;
    }
    delete doc.paths[path];
  }
}

/**
 * Normalisation 2: every schema object (components, parameters, request and response media types)
 * becomes JSON Schema. Besides `nullable`, this drops annotations such as `example`, which Ajv
 * would otherwise walk as schemas (the Schema Registry examples carry `$id`s).
 */
function convertSchemas(doc: OpenApiDoc): void {
  const convert = (value: Json) => {
    const converted = fromSchema(value, { strictMode: false, keepNotSupported: ['readOnly', 'writeOnly'] }) as Json;
    delete converted.$schema; // the converter stamps draft-04 on each root; these are fragments of one document
    return converted;
  };
  const schemas = doc.components?.schemas ?? {};
  for (const key of Object.keys(schemas)) schemas[key] = convert(schemas[key]);
  const parameters = [...Object.values(doc.components?.parameters ?? {})];
  const media: Json[] = [];
  for (const item of Object.values(doc.paths)) {
    parameters.push(...(item.parameters ?? []));
    for (const op of Object.values<Json>(item)) {
      if (!op || typeof op !== 'object' || Array.isArray(op)) continue;
      parameters.push(...(op.parameters ?? []));
      media.push(...Object.values(op.requestBody?.content ?? {}));
      for (const response of Object.values<Json>(op.responses ?? {}))
        media.push(...Object.values(response?.content ?? {}));
    }
  }
  for (const holder of [...parameters, ...media]) if (holder?.schema) holder.schema = convert(holder.schema);
}

// ---------------------------------------------------------------------------------------------
// Validation

/**
 * Checks one exchange against its spec. Returns human-readable violations, each starting with the
 * exchange, e.g. `POST /data/foundation/flowservice/connections → 201: response.body/id must be string`.
 * Exchanges with no Adobe spec (IMS, Zoho) give none.
 */
export function validateExchange(exchange: Exchange): string[] {
  if (!loaded) throw new Error('validateExchange: await loadSpecs() first');
  const specs = loaded;
  const label = `${exchange.method} ${exchange.path} → ${exchange.status}`;
  const entry = SPEC_PREFIXES.find(({ prefix }) => exchange.path === prefix || exchange.path.startsWith(`${prefix}/`));
  if (!entry) {
    return exchange.path.startsWith('/data/') ? [`${label}: no Adobe spec covers this path`] : [];
  }
  const { api, name } = specs.get(entry.spec)!;
  const request = {
    method: exchange.method,
    path: exchange.path.slice(entry.prefix.length) || '/',
    query: exchange.query,
    headers: exchange.headers as Record<string, string | string[]>,
    body: exchange.body,
  };
  const op = api.router.matchOperation(request);
  if (!op) {
    const pathKnown = api.router
      .getOperations()
      .some((candidate) => new RegExp(templatePattern(candidate.path)).test(api.router.normalizePath(request.path)));
    return [
      `${label}: ${pathKnown ? `${exchange.method} is not declared for this path` : 'path is not declared'} in ${name}.yaml`,
    ];
  }
  const where = `${label} (${name}.yaml ${op.method.toUpperCase()} ${op.path})`;
  const violations: string[] = [];

  const requestResult = api.validator.validateRequest(request, op);
  for (const error of requestResult.errors ?? []) violations.push(`${where}: ${describe('request', error)}`);

  const declared = Object.keys(op.responses ?? {});
  const response = responseFor(op, exchange.status);
  if (!response) {
    if (!UNDECLARED_ERROR_STATUSES.has(exchange.status)) {
      violations.push(`${where}: status ${exchange.status} is not declared (declared: ${declared.join(', ')})`);
    }
    return violations;
  }
  const body = exchange.response === undefined || exchange.response === '' ? null : exchange.response;
  const responseResult = api.validator.validateResponse(body, op, exchange.status);
  for (const error of responseResult.errors ?? []) violations.push(`${where}: ${describe('response', error)}`);
  return violations;
}

/** Loads the specs if needed and validates every exchange (empty when the emulator kept to the specs). */
export async function validateExchanges(exchanges: readonly Exchange[]): Promise<string[]> {
  await loadSpecs();
  return exchanges.flatMap((exchange) => validateExchange(exchange));
}

function responseFor(op: Operation, status: number): Json | undefined {
  const responses = (op.responses ?? {}) as Record<string, Json>;
  return responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses.default;
}

/** `request.body/connectionSpec must have required property 'id'`, `request.header must have required property 'if-match'`. */
function describe(side: 'request' | 'response', error: ErrorObject): string {
  let where = error.instancePath;
  if (side === 'request') {
    where = where.replace(/^\/requestBody/, '.body').replace(/^\/(query|header|path|cookie)/, '.$1');
    where = where ? `request${where}` : 'request';
    if (
      where === 'request' &&
      error.params &&
      'missingProperty' in error.params &&
      error.params.missingProperty === 'requestBody'
    ) {
      return 'request body is required';
    }
  } else {
    where = `response.body${where}`;
  }
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string };
  const extra =
    error.keyword === 'enum'
      ? ` (${(params.allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')})`
      : error.keyword === 'additionalProperties'
        ? ` (${params.additionalProperty})`
        : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

// ---------------------------------------------------------------------------------------------
// Small spec-navigation helpers for the allowances (each throws if the named place is missing)

function operation(doc: OpenApiDoc, method: string, path: string): Json {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not declared`);
  return op;
}

function parameter(op: Json, where: string, name: string): Json {
  const param = (op.parameters ?? []).find((candidate: Json) => candidate.in === where && candidate.name === name);
  if (!param) throw new Error(`${where} parameter ${name} is not declared`);
  return param;
}

function schema(doc: OpenApiDoc, name: string): Json {
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`schema ${name} is not declared`);
  return found;
}

function deref(doc: OpenApiDoc, node: Json): Json {
  let current = node;
  for (let depth = 0; current?.$ref && depth < 10; depth++) {
    const match = /^#\/components\/schemas\/(.+)$/.exec(current.$ref);
    current = match ? doc.components?.schemas?.[decodeURIComponent(match[1])] : undefined;
  }
  return current;
}

/** Visits every schema node under components.schemas and the operations' media types. */
function walkSchemas(doc: OpenApiDoc, visit: (node: Json) => void): void {
  const seen = new Set<Json>();
  const walk = (node: Json) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    visit(node);
    for (const child of Object.values<Json>(node.properties ?? {})) walk(child);
    for (const key of ['allOf', 'anyOf', 'oneOf']) for (const child of node[key] ?? []) walk(child);
    for (const key of ['items', 'additionalProperties', 'not']) walk(node[key]);
  };
  for (const node of Object.values(doc.components?.schemas ?? {})) walk(node);
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values<Json>(item)) {
      if (!op || typeof op !== 'object' || Array.isArray(op)) continue;
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) walk(media.schema);
      for (const response of Object.values<Json>(op.responses ?? {}))
        for (const media of Object.values<Json>(response?.content ?? {})) walk(media.schema);
    }
  }
}

function templatePattern(path: string): string {
  return `^${path
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+')}$`;
}
