// One local S3 node: an @20minutes/s3rver process (its package ships no working bin).
// Usage: node --openssl-legacy-provider test-support/src/s3-node-process.mjs PORT DIR BUCKET
// (--openssl-legacy-provider: s3rver's list page token uses DES; without it a list past
// 1,000 keys answers 500.) Prints "ready PORT" once listening, and exits when stdin
// closes, so it dies with the process that started it, even one killed by SIGKILL.
import { mkdirSync } from 'node:fs';
import S3rver from '@20minutes/s3rver';

const [portArg, directory, bucket = 'coffer'] = process.argv.slice(2);
if (portArg === undefined || directory === undefined) {
  process.stderr.write('usage: s3-node-process.mjs PORT DIR [BUCKET]\n');
  process.exit(2);
}
mkdirSync(directory, { recursive: true });

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();

const server = new S3rver({
  port: Number(portArg),
  address: '127.0.0.1',
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`ready ${address.port}\n`);
