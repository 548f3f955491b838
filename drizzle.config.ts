import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a migration after a schema change; the server applies them at boot.
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/src/db/schema',
  out: './server/drizzle',
});
