// The Schema Registry's state as the handlers see it: lookups scoped to the caller's org and sandbox, and
// the checks a create, PATCH or descriptor goes through (the registry's rules, cited at each check).
import type { Caller, EmuRequest, EmuResponse } from '../../router.js';
import { breakingChanges, signatures } from '../../schema-evolution.js';
import { hexId, visible, type Resource } from '../../state.js';
import {
  BEHAVIORS,
  STANDARD_NAMESPACES,
  definitionsTree,
  flattenFields,
  invalidFieldDefinition,
  resourceTree,
  schemaFields,
  schemaTree,
  schemaTreeOf,
  standardClasses,
  standardFieldGroups,
  treeToProperties,
} from '../../xdm-classes.js';
import type { ServiceContext } from '../context.js';
import {
  allOfEntry,
  badRequest,
  isUnion,
  present,
  presentStandard,
  refsOf,
  registryMetadata,
  sandboxId,
  stripText,
  stripTitles,
  xdmError,
  type Kind,
} from './xdm.js';

export type Registry = ReturnType<typeof registryOf>;

export function registryOf(ctx: ServiceContext) {
  const { state } = ctx;
  const hasB2B = ctx.options.hasB2BClasses ?? true;

  // ---- scoping and lookups -------------------------------------------------------------------
  const tenantItems = (req: EmuRequest, kind: Kind) =>
    collectionOf(kind)
      .all()
      .filter((item) => visible(item, req.caller!));
  const collectionOf = (kind: Kind) =>
    kind === 'classes' ? state.classes : kind === 'mixins' ? state.fieldGroups : state.schemas;
  const globalItems = (req: EmuRequest, kind: Kind): Resource[] =>
    kind === 'schemas'
      ? []
      : (kind === 'classes' ? standardClasses(hasB2B) : standardFieldGroups(hasB2B)).map((resource) =>
          presentStandard(resource, req.caller!),
        );

  /** By `$id` (URL-decoded by the router) or `meta:altId`. */
  const findTenant = (req: EmuRequest, kind: Kind, key: string) =>
    tenantItems(req, kind).find((item) => item.$id === key || item['meta:altId'] === key);
  const findGlobal = (req: EmuRequest, kind: Kind, key: string) =>
    globalItems(req, kind).find((item) => item.$id === key || item['meta:altId'] === key);

  /** A class usable in this sandbox: standard (subject to the B2B option) or the tenant's own. */
  const findClass = (req: EmuRequest, id: string) => findGlobal(req, 'classes', id) ?? findTenant(req, 'classes', id);
  const findFieldGroup = (req: EmuRequest, id: string) =>
    findGlobal(req, 'mixins', id) ?? findTenant(req, 'mixins', id);

  /** The datasets (visible to the caller) whose schema is `schemaId`. */
  const datasetsOf = (req: EmuRequest, schemaId: string) =>
    state.dataSets.all().filter((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schemaId);

  /** `-full` adds the resolved `properties`; `-notext` drops titles and descriptions. */
  const render = (resource: Resource, accept: string): Resource => {
    let body = present(resource);
    if (accept.includes('full')) {
      const tree =
        resource['meta:resourceType'] === 'schemas'
          ? schemaTree(state, resource.$id)
          : (resource.fields ?? resourceTree(state, resource.$id));
      const { allOf: _allOf, definitions: _definitions, ...rest } = body;
      body = { ...rest, properties: treeToProperties(tree ?? {}) } as Resource;
    }
    return accept.includes('notext')
      ? (stripText(body) as Resource)
      : accept.includes('desc')
        ? (stripTitles(body) as Resource)
        : body;
  };

  /**
   * Refuses a breaking change to a resource used by a schema that has a dataset or is enabled for
   * Profile: "You can only introduce a breaking change to a schema if it has not yet been used to
   * ingest data into Experience Platform and hasn't been enabled for use in Real-Time Customer
   * Profile" (composition.md; see schema-evolution.ts).
   */
  function evolutionProblem(
    req: EmuRequest,
    kind: 'mixins' | 'schemas',
    before: Resource,
    after: Resource,
  ): EmuResponse | undefined {
    const schemas =
      kind === 'schemas'
        ? [before]
        : tenantItems(req, 'schemas').filter((schema) => (schema.refs ?? []).includes(before.$id));
    const withData = schemas.filter(
      (schema) =>
        isUnion(schema) ||
        state.dataSets.all().some((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schema.$id),
    );
    if (!withData.length) return undefined;
    const fields = (resource: Resource) =>
      kind === 'schemas'
        ? signatures(schemaTreeOf(state, resource))
        : signatures(definitionsTree(resource), resource.definitions);
    const changes = breakingChanges(fields(before), fields(after));
    if (!changes.length) return undefined;
    const users = withData.map((schema) => schema.$id).join(', ');
    return badRequest(
      req,
      `Once a dataset exists for a schema, or it is enabled for Profile, only additive changes are allowed, and that applies to schema ${users}: ${changes.join('; ')}.`,
    );
  }

  // ---- Profile (aep-api.md ruling 16) ------------------------------------------------------------
  /** A primary identity descriptor on the schema: what Profile needs first. */
  const hasPrimaryIdentity = (req: EmuRequest, schema: Resource) =>
    state.descriptors
      .all()
      .some(
        (d) =>
          visible(d, req.caller!) &&
          d['@type'] === 'xdm:descriptorIdentity' &&
          d['xdm:sourceSchema'] === schema.$id &&
          d['xdm:isPrimary'] === true,
      );

  /**
   * `meta:immutableTags` on a create or PATCH (schemas.md, "Enable a schema for use in Real-Time
   * Customer Profile"): only `union` exists; adding it needs a primary identity descriptor first;
   * "Immutable tags are tags that are intended to be set, but never removed."
   */
  function profileProblem(
    req: EmuRequest,
    before: Resource | undefined,
    after: Record<string, any>,
  ): EmuResponse | undefined {
    const tags = after['meta:immutableTags'];
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((tag) => tag !== 'union')))
      return badRequest(
        req,
        `'meta:immutableTags' must be an array whose only tag is 'union'; got ${JSON.stringify(tags)}.`,
      );
    if (before && isUnion(before) && !isUnion(after)) {
      return badRequest(
        req,
        `Schema ${before.$id} is enabled for Profile: immutable tags are intended to be set, but never removed, so 'union' cannot be removed from meta:immutableTags.`,
      );
    }
    if (isUnion(after) && !(before && isUnion(before)) && !(before && hasPrimaryIdentity(req, before))) {
      return badRequest(
        req,
        `A schema must have a primary identity before it can be enabled for Profile: add an identity descriptor with xdm:isPrimary true to ${before?.$id ?? 'the schema'}, then the union tag.`,
      );
    }
    return undefined;
  }

  // ---- helpers that need the context -------------------------------------------------------------

  /** Ruling 1: type object, title and description required; titles unique per resource type and sandbox. */
  function checkCommon(
    req: EmuRequest,
    body: Record<string, any>,
    kind: Kind,
    self?: Resource,
  ): EmuResponse | undefined {
    if (body.type !== 'object') return badRequest(req, "'type' is required and must be 'object'.");
    if (typeof body.title !== 'string' || !body.title.trim())
      return badRequest(req, "'title' is required and must be a non-empty string.");
    if (typeof body.description !== 'string') return badRequest(req, "'description' is required and must be a string.");
    if (kind !== 'mixins' || body.allOf !== undefined) {
      if (!Array.isArray(body.allOf) || (kind !== 'mixins' && !refsOf(body).length))
        return badRequest(req, '\'allOf\' is required: an array of { "$ref": "<$id>" } objects.');
    }
    if (
      Array.isArray(body.allOf) &&
      body.allOf.some((part: any) => !part || typeof (part.$ref ?? part['$ref ']) !== 'string')
    )
      return badRequest(req, "Every 'allOf' entry needs a string '$ref'.");
    const clash = tenantItems(req, kind).find((item) => item.title === body.title && item !== self);
    if (clash) {
      return xdmError(
        req,
        409,
        '1521',
        'Unique constraint violation',
        `Title must be unique. An object ${clash.$id} already exists with the same title '${body.title}'.`,
      );
    }
    return undefined;
  }

  /** A field group's class list and fields, checked (on create and after a PATCH); the stored fields they imply. */
  function fieldGroupShape(req: EmuRequest, body: Record<string, any>): EmuResponse | Record<string, unknown> {
    const intended = body['meta:intendedToExtend'];
    if (!Array.isArray(intended) || !intended.length || intended.some((id) => typeof id !== 'string')) {
      return badRequest(
        req,
        "'meta:intendedToExtend' is required: list the $id of each class this field group is compatible with.",
      );
    }
    const unknown = intended.filter((id: string) => !findClass(req, id));
    if (unknown.length)
      return badRequest(req, `Class ${unknown.join(', ')} referenced in 'meta:intendedToExtend' was not found.`);
    const definitionsProblem = checkTenantFields(req, body);
    if (definitionsProblem) return definitionsProblem;
    const refs = refsOf(body);
    return {
      'meta:intendedToExtend': intended,
      'meta:extensible': true,
      'meta:abstract': true,
      definitions: body.definitions ?? {},
      allOf: (refs.length ? refs : Object.keys(body.definitions ?? {}).map((key) => `#/definitions/${key}`)).map(
        allOfEntry,
      ),
    };
  }

  /** A schema's parts, checked (on create and after a PATCH): exactly one class, compatible field groups. */
  function schemaShape(req: EmuRequest, body: Record<string, any>): EmuResponse | Record<string, unknown> {
    const refs = refsOf(body);
    const classes = refs.map((ref) => findClass(req, ref)).filter((found): found is Resource => !!found);
    if (classes.length !== 1) {
      return badRequest(
        req,
        classes.length
          ? `A schema must reference exactly one class; allOf references ${classes.length}: ${classes.map((c) => c.$id).join(', ')}.`
          : 'A schema must reference exactly one existing class in allOf.',
      );
    }
    const schemaClass = classes[0];
    if (body['meta:class'] !== undefined && body['meta:class'] !== schemaClass.$id) {
      return badRequest(
        req,
        `'meta:class' ${body['meta:class']} does not match the class referenced in allOf (${schemaClass.$id}).`,
      );
    }
    const fieldGroupIds: string[] = [];
    for (const ref of refs) {
      if (ref === schemaClass.$id) continue;
      const group = findFieldGroup(req, ref);
      if (!group)
        return xdmError(
          req,
          400,
          '1011',
          'Reference not found',
          `Reference ${ref} in allOf is not a class or field group available in sandbox '${req.caller!.sandbox}'.`,
        );
      if (!(group['meta:intendedToExtend'] ?? []).includes(schemaClass.$id)) {
        return badRequest(
          req,
          `Field group ${ref} is not compatible with class ${schemaClass.$id} (meta:intendedToExtend: ${(group['meta:intendedToExtend'] ?? []).join(', ')}).`,
        );
      }
      fieldGroupIds.push(ref);
    }
    const behavior = schemaClass['meta:extends']?.find((id: string) => BEHAVIORS.includes(id)) ?? schemaClass.behavior;
    return {
      allOf: refs.map(allOfEntry),
      refs,
      'meta:class': schemaClass.$id,
      'meta:extends': [
        ...new Set(
          [schemaClass.$id, behavior, 'https://ns.adobe.com/xdm/common/extensible', ...fieldGroupIds].filter(Boolean),
        ),
      ],
      'meta:extensible': false,
      'meta:abstract': false,
    };
  }

  /** Tenant-defined fields must live under `_<tenantId>` (so they never collide with Adobe's). */
  function checkTenantFields(req: EmuRequest, body: Record<string, any>): EmuResponse | undefined {
    const definitions = body.definitions ?? {};
    if (typeof definitions !== 'object' || Array.isArray(definitions))
      return badRequest(req, "'definitions' must be an object.");
    const namespace = `_${state.tenantId(req.caller!.orgId)}`;
    for (const [key, definition] of Object.entries(definitions as Record<string, any>)) {
      const properties = definition?.properties;
      if (!properties || typeof properties !== 'object')
        return badRequest(req, `definitions.${key} must have 'properties'.`);
      const outside = Object.keys(properties).filter((name) => name !== namespace);
      if (outside.length)
        return badRequest(
          req,
          `Custom fields must be nested under '${namespace}'; found ${outside.map((name) => `'${name}'`).join(', ')} in definitions.${key}.`,
        );
      const invalid = invalidFieldDefinition(properties);
      if (invalid) return badRequest(req, `Invalid field definition in definitions.${key}: ${invalid}.`);
    }
    const leaves = flattenFields(definitionsTree({ id: '', definitions } as Resource));
    if (Object.keys(definitions).length && !leaves.size)
      return badRequest(req, `No fields are defined under '${namespace}'.`);
    return undefined;
  }

  /**
   * The primary identity of a Profile-enabled schema: Profile needs one, so it is not deleted, and
   * "Changing the primary identity field on a schema that is enabled for Profile and has ingested
   * data" is breaking (composition.md); a dataset stands in for ingested data here.
   */
  function primaryIdentityProblem(
    req: EmuRequest,
    descriptor: Resource,
    next?: Record<string, any>,
  ): EmuResponse | undefined {
    if (descriptor['@type'] !== 'xdm:descriptorIdentity' || descriptor['xdm:isPrimary'] !== true) return undefined;
    const schema = findTenant(req, 'schemas', descriptor['xdm:sourceSchema']);
    if (!schema || !isUnion(schema)) return undefined;
    if (next?.['xdm:isPrimary'] !== true || next['xdm:sourceSchema'] !== schema.$id) {
      return badRequest(
        req,
        `Descriptor ${descriptor['@id']} is the primary identity of ${schema.$id}, which is enabled for Profile: it cannot be ${next ? 'made non-primary or moved to another schema' : 'deleted'}.`,
      );
    }
    const same = next['xdm:sourceProperty'] === descriptor['xdm:sourceProperty'];
    const hasData = state.dataSets.all().some((ds) => visible(ds, req.caller!) && ds.schemaRef?.id === schema.$id);
    return same || !hasData
      ? undefined
      : badRequest(
          req,
          `The primary identity of ${schema.$id} cannot change: the schema is enabled for Profile and has a dataset.`,
        );
  }

  /** A descriptor body (POST, or the PUT that rewrites `self`). */
  function checkDescriptor(req: EmuRequest, body: Record<string, any>, self?: Resource): EmuResponse | undefined {
    const types = [
      'xdm:descriptorIdentity',
      'xdm:alternateDisplayInfo',
      'xdm:descriptorReferenceIdentity',
      'xdm:descriptorOneToOne',
      'xdm:descriptorRelationship',
    ];
    if (!types.includes(body['@type'])) return badRequest(req, `'@type' must be one of ${types.join(', ')}.`);
    const schema = findTenant(req, 'schemas', String(body['xdm:sourceSchema'] ?? ''));
    if (!schema || schema.$id !== body['xdm:sourceSchema'])
      return xdmError(
        req,
        400,
        '1011',
        'Reference not found',
        `xdm:sourceSchema ${body['xdm:sourceSchema']} is not a schema $id in sandbox '${req.caller!.sandbox}'.`,
      );
    // The spec types sourceVersion as a string, the docs send an integer (§9): accept both, only version 1 exists.
    if (String(body['xdm:sourceVersion']) !== '1')
      return badRequest(
        req,
        `xdm:sourceVersion must be 1 (the schema's major version); got ${JSON.stringify(body['xdm:sourceVersion'])}.`,
      );
    const pointer = body['xdm:sourceProperty'];
    if (typeof pointer !== 'string' || !pointer.startsWith('/'))
      return badRequest(req, "xdm:sourceProperty must be a JSON pointer such as '/personalEmail/address'.");
    const path = pointer.slice(1).split('/').join('.');
    const fields = schemaFields(state, schema.$id) ?? new Map();
    const isObject = [...fields.keys()].some((leaf) => leaf.startsWith(`${path}.`));
    if (!fields.has(path) && !isObject)
      return badRequest(req, `xdm:sourceProperty ${pointer} does not exist in schema ${schema.$id}.`);
    if (body['@type'] !== 'xdm:descriptorIdentity') return undefined;
    if (fields.get(path) !== 'string') return badRequest(req, `Identity field ${pointer} must be a string field.`);
    const namespace = body['xdm:namespace'];
    const property = body['xdm:property'] ?? 'xdm:code';
    if (property === 'xdm:id') {
      if (!Object.values(STANDARD_NAMESPACES).includes(Number(namespace)))
        return badRequest(req, `Identity namespace id ${namespace} is not a standard namespace.`);
    } else if (property !== 'xdm:code' || typeof namespace !== 'string' || !(namespace in STANDARD_NAMESPACES)) {
      return badRequest(
        req,
        `Identity namespace '${namespace}' is not a standard namespace code (${Object.keys(STANDARD_NAMESPACES).join(', ')}); xdm:property must be xdm:code or xdm:id.`,
      );
    }
    if (body['xdm:isPrimary'] !== undefined && typeof body['xdm:isPrimary'] !== 'boolean')
      return badRequest(req, 'xdm:isPrimary must be a boolean.');
    const existing = state.descriptors
      .all()
      .filter(
        (d) =>
          d !== self &&
          visible(d, req.caller!) &&
          d['@type'] === 'xdm:descriptorIdentity' &&
          d['xdm:sourceSchema'] === schema.$id,
      );
    if (existing.some((d) => d['xdm:sourceProperty'] === pointer))
      return xdmError(
        req,
        409,
        '1521',
        'Unique constraint violation',
        `An identity descriptor already exists for ${pointer} in schema ${schema.$id}.`,
      );
    if (body['xdm:isPrimary'] === true && existing.some((d) => d['xdm:isPrimary']))
      return badRequest(req, `Schema ${schema.$id} already has a primary identity; a schema can have only one.`);
    return undefined;
  }

  /** A descriptor as stored, from a POST or PUT body (registry metadata aside). */
  function descriptorRecord(req: EmuRequest, body: Record<string, any>, id: string): Resource {
    const identity = body['@type'] === 'xdm:descriptorIdentity';
    return {
      id,
      '@id': id,
      ...body,
      'xdm:sourceVersion': Number(body['xdm:sourceVersion']),
      ...(identity
        ? { 'xdm:property': body['xdm:property'] ?? 'xdm:code', 'xdm:isPrimary': body['xdm:isPrimary'] === true }
        : {}),
      imsOrg: req.caller!.orgId,
      version: '1',
      'meta:containerId': 'tenant',
      'meta:sandboxId': sandboxId(req.caller!),
      'meta:sandboxType': req.caller!.sandbox === 'prod' ? 'production' : 'development',
      imsOrgId: req.caller!.orgId,
      sandboxName: req.caller!.sandbox,
    };
  }

  /** The registry metadata of an update: same creation, new modification and eTag. */
  function modified(resource: Resource, caller: Caller): Record<string, unknown> {
    const fresh = registryMetadata(caller, ctx.now());
    const {
      'repo:createdDate': created,
      'xdm:createdClientId': client,
      'xdm:createdUserId': user,
    } = resource['meta:registryMetadata'] ?? fresh;
    return { ...fresh, 'repo:createdDate': created, 'xdm:createdClientId': client, 'xdm:createdUserId': user };
  }

  /** Stores a tenant class, field group or schema with the registry's ids and metadata. */
  function store(req: EmuRequest, kind: Kind, body: Record<string, any>, extra: Record<string, unknown>): Resource {
    const caller = req.caller!;
    const tenant = state.tenantId(caller.orgId);
    const hash = hexId(16);
    const $id = `https://ns.adobe.com/${tenant}/${kind}/${hash}`;
    const now = ctx.now();
    const resource: Resource = {
      id: $id,
      $id,
      'meta:altId': `_${tenant}.${kind}.${hash}`,
      'meta:resourceType': kind,
      version: '1.0',
      title: body.title,
      type: 'object',
      description: body.description,
      ...extra,
      imsOrg: caller.orgId,
      'meta:xdmType': 'object',
      'meta:registryMetadata': registryMetadata(caller, now),
      'meta:containerId': 'tenant',
      'meta:sandboxId': sandboxId(caller),
      'meta:sandboxType': caller.sandbox === 'prod' ? 'production' : 'development',
      'meta:tenantNamespace': `_${tenant}`,
      imsOrgId: caller.orgId,
      sandboxName: caller.sandbox,
    };
    collectionOf(kind).add(resource);
    return resource;
  }

  return {
    state,
    now: ctx.now,
    visible,
    tenantItems,
    collectionOf,
    globalItems,
    findTenant,
    findGlobal,
    findClass,
    findFieldGroup,
    datasetsOf,
    render,
    evolutionProblem,
    profileProblem,
    checkCommon,
    checkTenantFields,
    fieldGroupShape,
    schemaShape,
    primaryIdentityProblem,
    checkDescriptor,
    descriptorRecord,
    modified,
    store,
  };
}
