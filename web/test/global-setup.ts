/** The browser tests serve web/dist: build it once before any test file runs (when sources changed). */
import { ensureWebBuilt } from '../build/build-web.js';

export default async function setup(): Promise<void> {
  await ensureWebBuilt();
}
