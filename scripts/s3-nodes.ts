/**
 * Start N local S3 node processes for development (the library is @coffer/test-support/s3-nodes):
 *
 *   npx tsx scripts/s3-nodes.ts start --count 6 --dir ./data/s3 --base-port 9100
 *
 * prints the node URLs and runs until Ctrl-C.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Cluster } from '@coffer/test-support/s3-nodes';
import { scriptOptions } from './options.js';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const usage = 'tsx scripts/s3-nodes.ts start [--count 6] [--dir ./data/s3] [--base-port 9100]';
  if (command !== 'start') {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const opt = scriptOptions({ count: 6, dir: './data/s3', 'base-port': undefined }, usage, rest);
  const basePort = opt['base-port'] === undefined ? undefined : Number(opt['base-port']);
  if (basePort !== undefined && !Number.isInteger(basePort)) {
    console.error(`--base-port takes a port number\nusage: ${usage}`);
    process.exit(2);
  }
  const cluster = await startS3Cluster({ count: opt.count, baseDir: opt.dir, basePort });
  for (const n of cluster.nodes) console.log(`${n.id}  ${n.url}  (${n.dir})`);
  console.log(`COFFER_NODES=${cluster.nodes.map((n) => `${n.id}=${n.url}`).join(',')}`);
  console.log(`COFFER_TEST_S3_URLS=${cluster.nodes.map((n) => n.url).join(',')}`);
  console.log('Ctrl-C stops them.');
  const stop = () => {
    void cluster.stopAll().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
