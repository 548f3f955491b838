/**
 * compose.yaml held to the Compose Specification (its JSON schema, vendored) and to what the
 * README promises of it: secrets only from .env (and gen-env.sh making strong ones), each S3 node
 * on its own host path, only the proxy published, healthchecks, restart policies, start order on
 * health, pinned images, both instances sharing the keys and the database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ComposeError, composeSchemaErrors, loadCompose, parseEnvFile, serviceEnvironment, type ComposeFile } from './compose-file.js';

const SECRETS = ['POSTGRES_PASSWORD', 'MINIO_ROOT_PASSWORD', 'COFFER_MASTER_KEY', 'COFFER_SERVER_SECRET'];

export function checkComposeRules(root: string): string {
  const file = join(root, 'compose.yaml');
  const schema = join(root, 'scripts/stack/compose-spec.schema.json');

  // .env as the README makes it.
  const gen = spawnSync('sh', [join(root, 'scripts/gen-env.sh')], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const env = parseEnvFile(gen.stdout);
  const values = SECRETS.map((k) => env[k] ?? '');
  for (const [i, v] of values.entries()) assert.match(v, /^[0-9a-f]{64}$/, `gen-env.sh: ${SECRETS[i]} is 32 random bytes in hex`);
  assert.equal(new Set(values).size, SECRETS.length, 'gen-env.sh: every secret differs');
  const again = parseEnvFile(spawnSync('sh', [join(root, 'scripts/gen-env.sh')], { encoding: 'utf8' }).stdout);
  assert.notEqual(again.COFFER_MASTER_KEY, env.COFFER_MASTER_KEY, 'gen-env.sh: fresh secrets each run');

  const doc = loadCompose(file, env);
  const errors = composeSchemaErrors(doc, schema);
  assert.deepEqual(errors, [], `compose.yaml against the Compose Specification schema:\n${errors.join('\n')}`);
  // The validator bites: a wrong type and an unknown start condition are caught.
  const broken = structuredClone(doc) as ComposeFile;
  broken.services.coffer1!.restart = 5 as unknown as string;
  broken.services.coffer1!.depends_on = { postgres: { condition: 'service_ready' } };
  assert.ok(composeSchemaErrors(broken, schema).length >= 2, 'the schema check rejects a broken file');

  // Every secret is required: without it compose refuses to start (and says which).
  for (const key of SECRETS) {
    const { [key]: _drop, ...without } = env;
    assert.throws(() => loadCompose(file, without), (e: unknown) => e instanceof ComposeError && e.message.includes(key), `compose.yaml requires ${key}`);
  }

  const services = doc.services;
  const names = Object.keys(services);
  const published = names.filter((n) => services[n]!.ports?.length);
  assert.deepEqual(published, ['proxy'], 'only the proxy publishes ports');
  for (const n of names) {
    const s = services[n]!;
    assert.ok(s.restart && s.restart !== 'no', `${n} has a restart policy`);
    assert.ok(s.healthcheck?.test, `${n} has a healthcheck (or the image's)`);
    if (s.image) assert.match(s.image, /^[^:]+:(?!latest$)[\w.-]+(@sha256:[0-9a-f]{64})?$/, `${n}: image pinned to a version (${s.image})`);
    for (const [dep, cond] of Object.entries(s.depends_on ?? {})) assert.equal((cond as { condition?: string }).condition, 'service_healthy', `${n} waits for ${dep} to be healthy`);
  }

  // S3 nodes: six hot, one cold, each on its own host path from .env.
  const nodes = names.filter((n) => /^(hot|cold)\d+$/.test(n));
  assert.deepEqual(nodes, ['hot1', 'hot2', 'hot3', 'hot4', 'hot5', 'hot6', 'cold1']);
  const paths = nodes.map((n) => {
    const vol = (services[n]!.volumes ?? []).find((v): v is string => typeof v === 'string' && v.endsWith(':/data'));
    assert.ok(vol, `${n} keeps its data on a host path`);
    const host = vol.slice(0, -':/data'.length);
    assert.equal(host, env[`${n.toUpperCase()}_PATH`], `${n}'s data is ${n.toUpperCase()}_PATH`);
    return host;
  });
  assert.equal(new Set(paths).size, nodes.length, 'each node on its own path');

  // Both instances: the same settings (keys, database, nodes), .env included, the proxy in front.
  const coffers = names.filter((n) => services[n]!.build !== undefined);
  assert.deepEqual(coffers, ['coffer1', 'coffer2']);
  const envs = coffers.map((n) => serviceEnvironment(services[n]!, (p) => (p === '.env' ? env : {})));
  assert.deepEqual(envs[0], envs[1], 'both instances run with the same settings');
  const e = envs[0]!;
  assert.equal(e.COFFER_MASTER_KEY, env.COFFER_MASTER_KEY);
  assert.equal(e.COFFER_SERVER_SECRET, env.COFFER_SERVER_SECRET);
  assert.equal(e.COFFER_PLAIN_HTTP, '1');
  assert.equal(e.COFFER_TRUST_PROXY, '1');
  assert.equal(e.COFFER_NODES!.split(',').length, 6);
  assert.equal(e.COFFER_COLD_NODES!.split(',').length, 1);
  assert.ok(e.DATABASE_URL!.includes(`:${env.POSTGRES_PASSWORD}@postgres:5432/`));

  // Networks: the database and the nodes are unreachable from outside; the nodes not even from the proxy.
  const nets = (n: string) => (Array.isArray(services[n]!.networks) ? (services[n]!.networks as string[]) : Object.keys(services[n]!.networks ?? {}));
  assert.equal(doc.networks?.backend?.internal, true);
  assert.equal(doc.networks?.storage?.internal, true);
  for (const n of nodes) assert.deepEqual(nets(n), ['storage'], `${n} is on the storage network only`);
  assert.deepEqual(nets('postgres'), ['backend']);
  assert.ok(!nets('proxy').includes('storage'), 'the proxy cannot reach the nodes');

  return `valid against the Compose Specification schema (${names.length} services); secrets required and generated; ${nodes.length} nodes on ${paths.length} host paths; only the proxy published`;
}
