/**
 * The Caddyfile as Caddy itself reads it (`caddy adapt`, Debian's caddy; .ci/run installs it):
 * a public name with an e-mail gets ACME (Let's Encrypt) certificates, the default gets Caddy's
 * internal CA; the two Coffer services of compose.yaml are the upstreams, balanced round robin,
 * health-checked on /readyz. The stack's balancer (balancer.ts) mirrors these settings.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Adapted {
  apps: {
    http: { servers: Record<string, { routes: { handle: { routes: { handle: Record<string, unknown>[] }[] }[] }[] }> };
    tls?: { automation?: { policies?: { subjects?: string[]; issuers?: { module: string; email?: string }[] }[] } };
  };
}

function adapt(root: string, env: Record<string, string>): Adapted {
  const r = spawnSync('caddy', ['adapt', '--config', join(root, 'Caddyfile'), '--adapter', 'caddyfile'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
  assert.equal(r.status, 0, `caddy adapt: ${r.stderr}`);
  return JSON.parse(r.stdout) as Adapted;
}

/** Undefined when caddy is not installed (then the check is reported as skipped). */
export function checkCaddyfile(root: string, upstreams: string[]): string | undefined {
  if (spawnSync('caddy', ['version'], { encoding: 'utf8' }).status !== 0) return undefined;
  const publicName = adapt(root, { COFFER_DOMAIN: 'drive.example.com', CADDY_TLS: 'admin@example.com' });
  const policy = publicName.apps.tls?.automation?.policies?.[0];
  assert.deepEqual(policy?.subjects, ['drive.example.com']);
  assert.ok(policy?.issuers?.some((i) => i.module === 'acme' && i.email === 'admin@example.com'), `a public name gets ACME: ${JSON.stringify(policy)}`);
  const proxy = Object.values(publicName.apps.http.servers)[0]!.routes[0]!.handle[0]!.routes[0]!.handle[0]! as {
    handler: string;
    upstreams: { dial: string }[];
    load_balancing: { selection_policy: { policy: string } };
    health_checks: { active: { uri: string } };
  };
  assert.equal(proxy.handler, 'reverse_proxy');
  assert.deepEqual(proxy.upstreams.map((u) => u.dial), upstreams.map((u) => `${u}:8080`), 'the upstreams are compose.yaml\'s Coffer services');
  assert.equal(proxy.load_balancing.selection_policy.policy, 'round_robin');
  assert.equal(proxy.health_checks.active.uri, '/readyz');
  const lan = adapt(root, { COFFER_DOMAIN: 'coffer.home.arpa' });
  const lanPolicy = lan.apps.tls?.automation?.policies?.[0];
  assert.deepEqual(lanPolicy?.issuers?.map((i) => i.module), ['internal'], `the default is Caddy's internal CA: ${JSON.stringify(lanPolicy)}`);
  const version = spawnSync('caddy', ['version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0];
  return `caddy ${version} adapts it: ACME for a public name, its internal CA by default; round robin over ${upstreams.join(', ')}, /readyz health checks`;
}
