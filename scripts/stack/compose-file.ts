/**
 * compose.yaml as `docker compose config` sees it: YAML with anchors and merge keys resolved,
 * `${VAR}` interpolated from the .env values (compose's rules: `:-`/`-` defaults, `:?`/`?`
 * required, `$$` a literal `$`), then checked against the Compose Specification's JSON schema
 * (vendored: compose-spec.schema.json, see scripts/README.md) with ajv.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

export type Env = Record<string, string | undefined>;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | (string | { path: string })[];
  ports?: unknown[];
  volumes?: (string | Record<string, unknown>)[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  restart?: string;
  [key: string]: unknown;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export class ComposeError extends Error {
  override readonly name = 'ComposeError';
}

/** `KEY=value` lines (docker compose's .env format: # comments, optional quotes). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 1) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out[key] = value;
  }
  return out;
}

const VAR = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's interpolation of one string. */
export function interpolate(text: string, env: Env, where: string): string {
  return text.replace(VAR, (whole, dollar: string, name?: string, op?: string, arg?: string, bare?: string) => {
    if (dollar === '$') return '$';
    const key = name ?? bare!;
    const value = env[key];
    const unsetOrEmpty = value === undefined || value === '';
    switch (op) {
      case ':-':
        return unsetOrEmpty ? interpolate(arg ?? '', env, where) : value!;
      case '-':
        return value === undefined ? interpolate(arg ?? '', env, where) : value;
      case ':?':
        if (unsetOrEmpty) throw new ComposeError(`${where}: required variable ${key} is missing a value: ${arg}`);
        return value!;
      case '?':
        if (value === undefined) throw new ComposeError(`${where}: required variable ${key} is missing a value: ${arg}`);
        return value;
      default:
        return value ?? '';
    }
  });
}

function interpolateTree(node: unknown, env: Env, path: string): unknown {
  if (typeof node === 'string') return interpolate(node, env, path);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, env, `${path}[${i}]`));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env, `${path}.${k}`)]));
  }
  return node;
}

/** Parses and interpolates compose.yaml; throws ComposeError on a missing required variable. */
export function loadCompose(file: string, env: Env): ComposeFile {
  const doc = parse(readFileSync(file, 'utf8'), { merge: true, maxAliasCount: 1000 }) as unknown;
  return interpolateTree(doc, env, 'compose.yaml') as ComposeFile;
}

/** Schema errors of a (parsed, interpolated) compose file; empty when valid. */
export function composeSchemaErrors(doc: unknown, schemaFile: string): string[] {
  // Draft-07, ajv's default dialect; its `$schema` spells draft-07's URI in a form ajv does not
  // register (https, no '#'), so it is dropped. Formats ajv does not define ("duration") are
  // checked by type only.
  const { $schema: _dialect, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

/** A service's environment as one map: env_file entries first, `environment` over them (compose's order). */
export function serviceEnvironment(service: ComposeService, readEnvFile: (path: string) => Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const files = service.env_file === undefined ? [] : Array.isArray(service.env_file) ? service.env_file : [service.env_file];
  for (const f of files) Object.assign(out, readEnvFile(typeof f === 'string' ? f : f.path));
  const env = service.environment;
  if (Array.isArray(env)) {
    for (const item of env) {
      const eq = item.indexOf('=');
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (env) {
    for (const [k, v] of Object.entries(env)) if (v !== null) out[k] = String(v);
  }
  return out;
}
