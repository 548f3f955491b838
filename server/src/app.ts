import { Hono } from 'hono';
import type { AppEnv } from './auth/context.js';
import { authenticate } from './auth/middleware.js';
import { requirePasswordChanged } from './auth/password-change.js';
import { requireTwoFactorEnrolled } from './auth/two-factor/enrolment-required.js';
import type { AppDeps } from './deps.js';
import { installErrorHandler } from './http-errors.js';
import { jsonBodyLimit } from './json-body.js';
import { accessLog } from './observability/access-log.js';
import { mountMetrics } from './observability/metrics-route.js';
import { readiness } from './observability/readiness.js';
import { requireValidUrl } from './request-target.js';
import { accountRoutes, meRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { adminLifecycleRoutes } from './routes/admin-lifecycle.js';
import { adminOverviewRoutes } from './routes/admin-overview.js';
import { adminPeopleRoutes } from './routes/admin-people.js';
import { adminSettingsRoutes } from './routes/admin-settings.js';
import { adminStorageRoutes } from './routes/admin-storage.js';
import { authRoutes } from './routes/auth.js';
import { blockRoutes } from './routes/blocks.js';
import { changeRoutes } from './routes/changes.js';
import { commitRoutes } from './routes/commit.js';
import { downloadRoutes } from './routes/downloads.js';
import { fileRoutes } from './routes/files.js';
import { sharingRoutes } from './routes/sharing.js';
import { ssoRoutes } from './routes/sso.js';
import { linkRoutes } from './routes/links.js';
import { notificationRoutes } from './routes/notifications.js';
import { openapiRoutes } from './routes/openapi.js';
import { publicLinkRoutes } from './routes/public-links.js';
import { revisionRoutes } from './routes/revisions.js';
import { thumbnailRoutes } from './routes/thumbnails.js';
import { trashRoutes } from './routes/trash.js';
import { twoFactorAdminRoutes, twoFactorLoginRoutes, twoFactorRoutes } from './routes/two-factor.js';
import { uploadRoutes } from './routes/uploads.js';
import { webdavRoutes } from './webdav/index.js';
import { mountWebApp } from './web/static.js';

export type { AppDeps } from './deps.js';

/**
 * The HTTP application: health at the root, the REST API under /api/v1 with one router per
 * concern (`api.route('/files', …)`). Public routes (login) mount before `authenticate`.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  // First: the request id and context, and the access line once the answer is sent (errors included).
  app.use('*', accessLog(deps.metrics, { trustProxy: deps.config.trustProxy, onBytes: (bytesIn, bytesOut) => deps.traffic.add(bytesIn, bytesOut) }));
  installErrorHandler(app);
  app.use('*', requireValidUrl);
  app.use('*', jsonBodyLimit(deps.config.maxJsonBytes));
  // Liveness: the process answers. Readiness: a write can be acknowledged now (readiness.ts).
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const r = await readiness(deps);
    return c.json(r, r.status === 'ready' ? 200 : 503);
  });
  mountMetrics(app, deps.metrics, { ...deps.config.metrics, trustProxy: deps.config.trustProxy });

  // Every router mounts operations of @coffer/protocol at their full paths (http/operation.ts),
  // so all sit at '/'; only the order matters: public ones before `authenticate`.
  const api = new Hono<AppEnv>();
  // Public: the API's description and signing in.
  api.route('/', openapiRoutes(deps));
  api.route('/', authRoutes(deps));
  api.route('/', twoFactorLoginRoutes(deps));
  api.route('/', ssoRoutes(deps));
  api.use('*', authenticate(deps));
  // While a password change is due, only these two answer (and signing out, above).
  api.route('/', meRoutes(deps));
  api.use('*', requirePasswordChanged);
  // While an administrator's two-factor requirement is unmet, only enrolment answers (and the above).
  api.route('/', twoFactorRoutes(deps));
  api.use('*', requireTwoFactorEnrolled(deps));
  api.route('/', twoFactorAdminRoutes(deps));
  api.route('/', accountRoutes(deps));
  api.route('/', adminRoutes(deps));
  api.route('/', adminStorageRoutes(deps));
  api.route('/', adminOverviewRoutes(deps));
  api.route('/', adminLifecycleRoutes(deps));
  api.route('/', adminPeopleRoutes(deps));
  api.route('/', adminSettingsRoutes(deps));
  api.route('/', fileRoutes(deps));
  api.route('/', trashRoutes(deps));
  api.route('/', uploadRoutes(deps));
  api.route('/', downloadRoutes(deps));
  api.route('/', thumbnailRoutes(deps));
  api.route('/', revisionRoutes(deps));
  // Sync: the change journal, delta blocks and commits, notifications.
  api.route('/', changeRoutes(deps));
  api.route('/', blockRoutes(deps));
  api.route('/', commitRoutes(deps));
  api.route('/', notificationRoutes(deps));
  api.route('/', sharingRoutes(deps));
  api.route('/', linkRoutes(deps));
  app.route('/api/v1', api);
  // Public links: their own path, never behind `authenticate` (a link carries nobody's session).
  app.route('/s', publicLinkRoutes(deps));
  // WebDAV mounts (/dav/): Basic auth with app passwords, never the session cookie (webdav/auth.ts).
  app.route('/', webdavRoutes(deps));

  // The web app and the admin UI last: they answer every GET the routers above did not take (web/static.ts).
  mountWebApp(app, deps.config.webDir, deps.config.adminWebDir);
  return app;
}
