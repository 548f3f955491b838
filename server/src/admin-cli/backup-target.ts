/**
 * Where a backup goes or comes from: a local file, or an S3 object (`s3://BUCKET/KEY`) on an
 * endpoint given by --s3-endpoint (http(s)://KEY:SECRET@host:port, as storage nodes are written)
 * or the environment (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_REGION).
 * Either way the encrypted file is made locally first, then moved or uploaded whole.
 */
import { randomBytes } from 'node:crypto';
import { rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'minio';
import { AdminError, UsageError } from './context.js';

export type Place = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string; client: Client; shown: string };

export function placeOf(target: string, endpoint: string | undefined): Place {
  if (!target.startsWith('s3://')) return { kind: 'file', path: resolve(target) };
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(target);
  if (!m) throw new UsageError(`${target}: write an S3 place as s3://BUCKET/KEY`);
  const raw = endpoint ?? process.env.S3_ENDPOINT;
  if (!raw) throw new UsageError('an S3 place needs --s3-endpoint http(s)://KEY:SECRET@HOST:PORT (or S3_ENDPOINT)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('--s3-endpoint is not a URL');
  }
  const accessKey = decodeURIComponent(url.username) || process.env.AWS_ACCESS_KEY_ID;
  const secretKey = decodeURIComponent(url.password) || process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKey || !secretKey) throw new UsageError('S3 credentials: put them in --s3-endpoint (http://KEY:SECRET@host:port) or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY');
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    useSSL: url.protocol === 'https:',
    accessKey,
    secretKey,
    region: process.env.S3_REGION ?? 'us-east-1',
    pathStyle: true,
  });
  return { kind: 's3', bucket: m[1]!, key: m[2]!, client, shown: `s3://${m[1]}/${m[2]} at ${url.host}` };
}

/** A temporary file beside a local target (so the final rename stays on one file system), or in `scratch`. */
export function stagingFile(p: Place, scratch: string): string {
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  return p.kind === 'file' ? join(dirname(p.path), `.coffer-backup.${tag}.partial`) : join(scratch, `backup.${tag}.age`);
}

/** Put the finished file in place. */
export async function deliver(p: Place, file: string): Promise<void> {
  if (p.kind === 'file') return rename(file, p.path);
  try {
    if (!(await p.client.bucketExists(p.bucket))) await p.client.makeBucket(p.bucket);
    await p.client.fPutObject(p.bucket, p.key, file, { 'Content-Type': 'application/octet-stream' });
  } catch (err) {
    throw new AdminError(`could not upload the backup to ${p.shown}: ${(err as Error).message}`);
  }
}

/** A local path holding the backup: the file itself, or the object downloaded into `scratch`. */
export async function fetchBackup(p: Place, scratch: string): Promise<string> {
  if (p.kind === 'file') {
    await stat(p.path);
    return p.path;
  }
  const local = join(scratch, 'backup.age');
  try {
    await p.client.fGetObject(p.bucket, p.key, local);
  } catch (err) {
    throw new AdminError(`could not download the backup from ${p.shown}: ${(err as Error).message}`);
  }
  return local;
}
