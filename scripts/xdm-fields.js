#!/usr/bin/env node
// Generates data/xdm-standard.json: the leaf field paths of Adobe's standard XDM classes and
// field groups, as a mapping destination names them (`xdm:` dropped, `@id` as `_id`, another
// namespace `ns:x` as `_ns.x`), so `templates validate` can check destinations without an org.
// Source: Adobe's public XDM repository, https://github.com/adobe/xdm (components/); run it on a
// checkout: node scripts/xdm-fields.js ../xdm <commit> > data/xdm-standard.json
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/xdm-fields.js <adobe/xdm checkout>');
  process.exit(2);
}
const components = join(root, 'components');
const files = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.schema.json') ? [join(dir, e.name)] : [],
  );

const byId = new Map();
const origin = new Map();
for (const file of files(components)) {
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  if (schema.$id) {
    byId.set(schema.$id, schema);
    origin.set(schema.$id, relative(root, file));
  }
}

function pointer(doc, fragment) {
  return fragment
    .split('/')
    .filter(Boolean)
    .reduce((node, key) => node?.[decodeURIComponent(key).replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function resolve(ref, doc) {
  const [id, fragment] = ref.split('#');
  const target = id ? byId.get(id) : doc;
  if (!target) return undefined;
  return { node: fragment ? pointer(target, fragment) : target, doc: target };
}

function fieldName(key) {
  if (key === '@id') return '_id';
  if (key.startsWith('xdm:')) return key.slice(4);
  const ns = key.match(/^([a-zA-Z]+):(.+)$/);
  return ns ? `_${ns[1]}.${ns[2]}` : key;
}

/** Leaf paths of a schema node: path → XDM type ('string', 'number', 'integer', 'boolean', 'array', 'object'). */
function leaves(node, doc, prefix, out, depth = 0) {
  if (!node || depth > 12) return;
  if (node.$ref) {
    const r = resolve(node.$ref, doc);
    if (r) leaves(r.node, r.doc, prefix, out, depth + 1);
  }
  for (const part of node.allOf ?? []) leaves(part, doc, prefix, out, depth + 1);
  const properties = node.properties ?? {};
  for (const [key, child] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${fieldName(key)}` : fieldName(key);
    const type = typeOf(child, doc);
    if (type === 'object') leaves(child, doc, path, out, depth + 1);
    else out[path] = type;
  }
}

function typeOf(node, doc, depth = 0) {
  if (!node || depth > 12) return 'object';
  if (node.type === 'array') return 'array';
  if (node.type === 'object' && node.additionalProperties && !node.properties) return 'map';
  if (node.type && node.type !== 'object') return node.type;
  if (node.properties || node.allOf) return 'object';
  if (node.$ref) {
    const r = resolve(node.$ref, doc);
    return r ? typeOf(r.node, r.doc, depth + 1) : 'object';
  }
  return 'object';
}

const classes = {};
const fieldGroups = {};
for (const [id, schema] of byId) {
  const where = origin.get(id);
  const isClass = where.startsWith('components/classes/');
  const isGroup = where.startsWith('components/fieldgroups/') && !where.includes('/deprecated/');
  if (!isClass && !isGroup) continue;
  const paths = {};
  leaves(schema, schema, '', paths);
  const entry = { title: schema.title, source: where, paths };
  // A class's behaviour (record, time-series): a field group meant for a behaviour fits its classes only.
  if (isClass)
    classes[id] = {
      ...entry,
      behavior: (schema['meta:extends'] ?? []).find((e) => e.startsWith('https://ns.adobe.com/xdm/data/')),
    };
  else fieldGroups[id] = { ...entry, intendedToExtend: schema['meta:intendedToExtend'] ?? [] };
}
const commit = process.argv[3];
process.stdout.write(
  `${JSON.stringify({ source: `https://github.com/adobe/xdm${commit ? `/tree/${commit}` : ''}`, classes, fieldGroups })}\n`,
);
