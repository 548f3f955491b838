/** The admin browser tests serve admin-ui/dist: build it once before any test file runs (when sources changed). */
import { ensureAdminBuilt } from '../build/build-admin.js';

export default async function setup(): Promise<void> {
  await ensureAdminBuilt();
}
