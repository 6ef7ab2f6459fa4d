// Finds, parses and validates dataflow templates: built-ins by name (templates/*.json in the
// package) or any file by path. Validation is the JSON Schema (templates/template.schema.json, via
// ajv) plus the checks a schema cannot express. Every problem is a UsageError (exit 2) that names
// the file and the JSON path. Only this module uses ajv, and loads it when it first validates, so
// `aep-zoho --help` and `templates list` never load its 60-odd files.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UsageError } from '../core/errors.js';
import { para } from '../core/text.js';
import type { LoadedTemplate, Template } from './types.js';
import { TENANT_PLACEHOLDER, TOMBSTONE_COLUMN } from './types.js';
import { deletedDestination } from './xdm-standard.js';
import { displayPath, parseTemplateText } from './parse.js';

export { displayPath } from './parse.js';

// Loaded where used (a misspelt name, a syntax error), not with this module: `templates list` needs neither.
const lazy = createRequire(import.meta.url);
const levenshtein = () => lazy('fastest-levenshtein') as typeof import('fastest-levenshtein');
const distance = (a: string, b: string) => levenshtein().distance(a, b);
const closest = (word: string, names: readonly string[]) => levenshtein().closest(word, names);

/** The package's templates/ folder: ../../templates from src/template/ (tsx) and dist/template/ (built). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
export const SCHEMA_FILE = join(TEMPLATES_DIR, 'template.schema.json');

/** Standard XDM fields whose names start with an underscore (everything else under `_` is a tenant namespace). */
const STANDARD_UNDERSCORE_ROOTS = new Set(['_id', '_repo', '_experience']);

export interface TemplateSummary {
  name: string;
  description: string;
  table: string;
  file: string;
}

// ---------------------------------------------------------------- loading

/**
 * A built-in template by name (`accounts`, any case) or a template file by path. Unknown names fail
 * with the built-in names and the closest one; a missing file fails naming it.
 */
export async function loadTemplate(nameOrPath: string): Promise<LoadedTemplate> {
  const input = nameOrPath.trim();
  if (!input)
    throw new UsageError('No template given.', {
      hint: `Name a built-in template (${(await builtInNames()).join(', ')}) or a template file.`,
    });
  const builtIn = await findBuiltIn(input);
  if (builtIn) return readTemplate(builtIn, true);
  const file = resolve(input);
  if (await isFile(file)) return readTemplate(file, false);
  if (await isFolder(file)) {
    const inside = (await readdir(file).catch(() => [] as string[]))
      .filter((entry) => entry.toLowerCase().endsWith('.json') && entry !== 'template.schema.json')
      .sort();
    throw new UsageError(`Template '${input}' is a folder, not a template file.`, {
      hint: inside.length
        ? para`Name a template file in it, e.g. --template ${join(input, inside[0])} (it holds
          ${inside.slice(0, 5).join(', ')}${inside.length > 5 ? ', …' : ''}); several are separated by commas.`
        : `Name a template file (.json), or a built-in template: ${(await builtInNames()).join(', ')}.`,
    });
  }
  if (looksLikePath(input)) {
    throw new UsageError(`Template file '${input}' does not exist.`, {
      hint: `Check the path (resolved to ${file}), or name a built-in template: ${(await builtInNames()).join(', ')}.`,
    });
  }
  const names = await builtInNames();
  const near = names.filter((name) => distance(name, input.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3)));
  const suggestion = near.length ? near : names.length ? [closest(input.toLowerCase(), names)] : [];
  throw new UsageError(`Unknown template '${input}': it is neither a built-in template nor a file.`, {
    hint: para`${suggestion.length ? `Did you mean ${suggestion.map((s) => `'${s}'`).join(' or ')}? ` : ''}Built-in
      templates: ${names.join(', ')} ('aep-zoho templates list').`,
  });
}

/** The built-in templates, sorted by name. A broken built-in is listed with what can be read of it. */
export async function listTemplates(): Promise<TemplateSummary[]> {
  const files = await builtInFiles();
  const summaries = await Promise.all(
    files.map(async (file) => {
      let value: Partial<Template> = {};
      try {
        value = JSON.parse(await readFile(file, 'utf8')) as Partial<Template>;
      } catch {
        /* listed by file name; `templates validate` explains what is wrong */
      }
      return {
        name: typeof value.name === 'string' ? value.name : basename(file, '.json'),
        description: typeof value.description === 'string' ? value.description : '',
        table: typeof value.source?.table === 'string' ? value.source.table : '',
        file,
      };
    }),
  );
  return summaries.sort((a, b) => a.name.localeCompare(b.name));
}

/** The names `loadTemplate` accepts for built-ins (the file names without .json). */
export async function builtInNames(): Promise<string[]> {
  return (await builtInFiles()).map((file) => basename(file, '.json')).sort();
}

async function builtInFiles(): Promise<string[]> {
  const entries = await readdir(TEMPLATES_DIR).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith('.json') && entry !== 'template.schema.json')
    .map((entry) => join(TEMPLATES_DIR, entry));
}

async function findBuiltIn(input: string): Promise<string | undefined> {
  if (looksLikePath(input)) return undefined;
  const wanted = input.toLowerCase();
  return (await builtInFiles()).find((file) => basename(file, '.json').toLowerCase() === wanted);
}

const looksLikePath = (input: string) =>
  input.includes('/') || input.includes('\\') || extname(input).toLowerCase() === '.json';

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readTemplate(file: string, builtIn: boolean): Promise<LoadedTemplate> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read template file ${displayPath(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  return { template: validateTemplate(parseTemplateText(text, file), file), file, builtIn };
}

// ---------------------------------------------------------------- validation

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (compiled) return compiled;
  // logger:false: ajv would otherwise warn on the console; strictTypes off for the if/then parts.
  // Loaded here, at the first validation (its CommonJS build, synchronously), not with this module.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, logger: false });
  // VS Code's message keywords: annotations for ajv, used by formatError below.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return compiled;
}

/**
 * Checks a parsed template against templates/template.schema.json and the rules a schema cannot
 * express; returns it typed, or throws one UsageError listing every problem with its JSON path.
 */
export function validateTemplate(value: unknown, file: string): Template {
  const validate = schemaValidator();
  const problems = validate(value) ? semanticProblems(value as Template) : schemaProblems(validate.errors ?? []);
  if (problems.length) {
    const shown = displayPath(file);
    throw new UsageError(
      `${shown}: ${problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join('; ')}`}.`,
      {
        hint: `The template format is described in ${displayPath(SCHEMA_FILE)}; check again with 'aep-zoho templates validate ${shown}'.`,
      },
    );
  }
  return value as Template;
}

function schemaProblems(errors: ErrorObject[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const error of errors) {
    // `if` only says which branch failed; the branch's own error is reported separately.
    if (error.keyword === 'if') continue;
    const text = formatError(error);
    if (!seen.has(text)) {
      seen.add(text);
      problems.push(text);
    }
  }
  return problems;
}

const show = (value: unknown) =>
  typeof value === 'string'
    ? JSON.stringify(value)
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'object'
          ? 'an object'
          : String(value);
const typeName = (value: unknown) =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && Number.isInteger(value)
        ? 'integer'
        : typeof value;
const pointer = (path: string) => path || '/';

/** One ajv error as `<JSON pointer> <what is wrong>`, in words a template author can act on. */
function formatError(error: ErrorObject): string {
  const at = pointer(error.instancePath);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, any>;
  if (typeof parent.errorMessage === 'string')
    return `${at} ${parent.errorMessage}${error.keyword === 'minimum' ? ` (got ${show(error.data)})` : ''}`;
  switch (error.keyword) {
    case 'required':
      return `${error.instancePath}/${params.missingProperty} is required but missing`;
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const near = known.length ? closest(extra, known) : undefined;
      const hint =
        near && distance(extra.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 3))
          ? ` (did you mean '${near}'?)`
          : '';
      return `${error.instancePath}/${extra} is not a known property${hint}; allowed here: ${known.join(', ')}`;
    }
    case 'type':
      return `${at} must be ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${params.type} (got ${typeName(error.data)})`;
    case 'enum':
      return `${at} must be one of ${(params.allowedValues as unknown[]).map(show).join(', ')} (got ${show(error.data)})`;
    case 'const':
      return `${at} must be ${show(params.allowedValue)} (got ${show(error.data)})`;
    case 'pattern':
      return `${at} ${typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : `must match ${params.pattern}`} (got ${show(error.data)})`;
    case 'minLength':
      return params.limit === 1 ? `${at} must not be empty` : `${at} must be at least ${params.limit} characters long`;
    case 'minItems':
      return `${at} must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `${at} has the same value twice (items ${params.j} and ${params.i})`;
    case 'minimum':
      return `${at} must be at least ${params.limit} (got ${show(error.data)})`;
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

/** The rules JSON Schema cannot express; `template` already matches the schema. */
function semanticProblems(template: Template): string[] {
  const problems: string[] = [];
  const firstAt = new Map<string, number>();
  template.mappings.forEach((mapping, index) => {
    const at = `/mappings/${index}`;
    const hasSource = mapping.source !== undefined;
    const hasExpression = mapping.expression !== undefined;
    if (hasSource === hasExpression) {
      problems.push(
        `${at} must have exactly one of "source" (a column) or "expression" (a calculated field), not ${hasSource ? 'both' : 'neither'}`,
      );
    }
    if (mapping.columns !== undefined && !hasExpression)
      problems.push(`${at}/columns is only for an "expression" mapping (a "source" mapping reads its source column)`);
    const problem = xdmPathProblem(mapping.destination);
    if (problem) problems.push(`${at}/destination ${problem} (got ${JSON.stringify(mapping.destination)})`);
    const earlier = firstAt.get(mapping.destination);
    if (earlier !== undefined)
      problems.push(
        `${at}/destination ${JSON.stringify(mapping.destination)} is already the destination of /mappings/${earlier}: each XDM field takes one mapping`,
      );
    else firstAt.set(mapping.destination, index);
  });
  // A field cannot also be an object with fields of its own (`a.b` and `a.b.c`).
  const destinations = [...firstAt.keys()];
  for (const path of destinations) {
    const child = destinations.find((other) => other.startsWith(`${path}.`));
    if (child)
      problems.push(
        para`/mappings/${firstAt.get(path)}/destination ${JSON.stringify(path)} is a field, but
          /mappings/${firstAt.get(child)}/destination ${JSON.stringify(child)} makes it an object`,
      );
  }
  if (template.identity) {
    const { identity } = template;
    const problem = xdmPathProblem(identity.destination);
    if (problem) problems.push(`/identity/destination ${problem} (got ${JSON.stringify(identity.destination)})`);
    const index = firstAt.get(identity.destination);
    if (index === undefined) {
      problems.push(
        para`/identity/destination ${JSON.stringify(identity.destination)} is not the destination of any mapping: add
          a mapping from ${JSON.stringify(identity.source)} to it`,
      );
    } else if (template.mappings[index].source !== undefined && template.mappings[index].source !== identity.source) {
      problems.push(
        para`/identity/source ${JSON.stringify(identity.source)} differs from /mappings/${index}/source
          ${JSON.stringify(template.mappings[index].source)}, which fills ${JSON.stringify(identity.destination)}`,
      );
    }
  }
  if (template.deletes === 'soft') {
    // sync fills the isDeleted field itself (true on a tombstone, false on a record).
    const destination = deletedDestination(template);
    const index = firstAt.get(destination);
    if (index !== undefined)
      problems.push(
        para`/mappings/${index}/destination ${JSON.stringify(destination)} is where "deletes": "soft" marks deleted
          records: remove this mapping, or set "deletes" to "report"`,
      );
    const own = template.mappings.findIndex((m) => m.source === TOMBSTONE_COLUMN);
    if (own >= 0)
      problems.push(`/mappings/${own}/source ${JSON.stringify(TOMBSTONE_COLUMN)} is the column sync sets itself`);
  }
  const { schedule } = template;
  if (schedule.frequency === 'once') {
    if (schedule.interval !== undefined) problems.push('/schedule/interval is not allowed when frequency is "once"');
    if (schedule.backfill !== undefined) problems.push('/schedule/backfill is not allowed when frequency is "once"');
  } else if (schedule.interval === undefined) {
    problems.push(`/schedule/interval is required when frequency is ${JSON.stringify(schedule.frequency)}`);
  } else if (schedule.frequency === 'minute' && schedule.interval < 15) {
    problems.push(`/schedule/interval must be at least 15 when frequency is "minute" (got ${schedule.interval})`);
  }
  return problems;
}

/** Why a destination is not a valid XDM path for a template, or undefined when it is. */
export function xdmPathProblem(path: string): string | undefined {
  const segments = path.split('.');
  if (segments.some((segment) => segment === '')) return 'must be dot-separated field names, with no empty part';
  if (segments.slice(1).some((segment) => segment.includes('{')))
    return `may use ${TENANT_PLACEHOLDER} only as its first part`;
  const [root] = segments;
  if (root === TENANT_PLACEHOLDER)
    return segments.length < 2
      ? `must name a field under ${TENANT_PLACEHOLDER}, e.g. "${TENANT_PLACEHOLDER}.zoho.<module>.<field>"`
      : undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(root)) return 'must start with a field name or _{TENANT_ID}';
  if (root.startsWith('_') && !STANDARD_UNDERSCORE_ROOTS.has(root)) {
    return `starts with the tenant namespace '${root}': write ${TENANT_PLACEHOLDER} instead (aep-zoho fills in the org's tenant id)`;
  }
  if (segments.some((segment) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)))
    return 'must be dot-separated field names (letters, digits, underscores)';
  return undefined;
}

// ---------------------------------------------------------------- helpers for `templates init`

/** A Zoho API field name as an XDM field name: `Account_Name` → `accountName`, `SIC_Code` → `sicCode`. */
export function camelCase(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = parts
    .map((part, i) => (i === 0 ? part.toLowerCase() : part[0].toUpperCase() + part.slice(1).toLowerCase()))
    .join('');
  return /^[A-Za-z]/.test(joined) ? joined : `f${joined}`; // XDM field names start with a letter
}

/** True when the file exists (any kind). */
export const pathExists = (path: string): boolean => existsSync(path);

/** The line of a template file that first names `value` as a JSON string (for messages). */
export function lineOf(file: string, value: string): number | undefined {
  try {
    const index = readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((line) => line.includes(`"${value}"`));
    return index < 0 ? undefined : index + 1;
  } catch {
    return undefined;
  }
}
