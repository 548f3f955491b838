// Entry of a sealing worker when the engine runs from TypeScript sources: loader hooks
// registered with --import do not reach worker threads on Node 20, so register tsx here.
import { register } from 'tsx/esm/api';

register();
await import('./seal-worker.ts');
