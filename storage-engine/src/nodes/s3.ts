import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'minio';
import { InvalidArgumentError, NodeDownError, NotFoundError } from '../errors.js';
import { checkKey, checkPrefix, checkRange } from './keys.js';
import type { StorageNode } from './node.js';
import { DeadlineTransport, keepAliveAgent, runInCall, SocketIdleError, type CallContext } from './s3-transport.js';

export interface S3NodeOptions {
  id: string;
  endPoint: string;
  port: number;
  useSSL: boolean;
  accessKey: string;
  secretKey: string;
  bucket: string;
  /** Prepended to every key, so several nodes (or test runs) can share one bucket. */
  keyPrefix?: string;
  region?: string;
  /** A request that sends or receives nothing for this long is abandoned (default 5 s). */
  timeoutMs?: number;
  /** Upper bound for one call, all its requests and retries included (default 3 × timeoutMs). */
  deadlineMs?: number;
  /** Extra attempts after a connection reset or a 5xx answer (default 1). */
  retries?: number;
  /** Concurrent connections to this node (default 16). */
  maxSockets?: number;
  /** Path-style addressing (default true: what MinIO and most self-hosted S3 servers want). */
  pathStyle?: boolean;
}

type Failure = { kind: 'not_found' } | { kind: 'invalid'; message: string } | { kind: 'down'; message: string; retry: boolean };

/** Connection-level failures worth one more try: a stale keep-alive socket, a server restarting. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** What an S3 server says when credentials are wrong: the node is unusable until fixed. */
const CONFIG_CODES = new Set(['AccessDenied', 'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'AllAccessDisabled']);
const PAGE_SIZE = 1000;

/**
 * A storage node that is an S3 bucket (MinIO, AWS S3, or any S3-compatible server), through the
 * `minio` client. Objects are at most a few MiB, so every put is one PUT request (minio never
 * switches a Buffer to multipart). Every call has an idle timeout per request and an overall
 * deadline, so a hung server costs at most `deadlineMs` and surfaces as NodeDownError.
 */
export class S3Node implements StorageNode {
  readonly id: string;
  readonly bucket: string;
  readonly keyPrefix: string;
  private readonly client: Client;
  private readonly transport: DeadlineTransport;
  private readonly region: string;
  private readonly deadlineMs: number;
  private readonly retries: number;

  constructor(opts: S3NodeOptions) {
    this.id = opts.id;
    this.bucket = opts.bucket;
    this.keyPrefix = opts.keyPrefix ?? '';
    if (this.keyPrefix !== '') checkPrefix(this.keyPrefix);
    this.region = opts.region ?? 'us-east-1';
    const timeoutMs = opts.timeoutMs ?? 5_000;
    this.deadlineMs = opts.deadlineMs ?? 3 * timeoutMs;
    this.retries = opts.retries ?? 1;
    this.transport = new DeadlineTransport(opts.useSSL, keepAliveAgent(opts.useSSL, opts.maxSockets ?? 16), timeoutMs);
    this.client = new (minioModule().Client)({
      endPoint: opts.endPoint,
      port: opts.port,
      useSSL: opts.useSSL,
      accessKey: opts.accessKey,
      secretKey: opts.secretKey,
      region: this.region, // a known region spares a GetBucketLocation round trip
      pathStyle: opts.pathStyle ?? true,
      transport: this.transport as unknown as ConstructorParameters<typeof Client>[0]['transport'],
      transportAgent: this.transport.agent,
      retryOptions: { disableRetry: true }, // our own policy below; minio's only prints warnings
    });
  }

  /**
   * `http://ACCESS:SECRET@host:port/bucket[/key/prefix]`; https for TLS. Query parameters
   * `region`, `timeoutMs`, `deadlineMs` and `retries` are honoured; `overrides` win over all.
   */
  static fromUrl(id: string, url: string, overrides: Partial<Omit<S3NodeOptions, 'id'>> = {}): S3Node {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidArgumentError(`S3 URL must be http(s): ${u.protocol}`);
    const [bucket, ...rest] = u.pathname.split('/').filter((s) => s !== '');
    if (!bucket) throw new InvalidArgumentError('S3 URL names no bucket (expected http://KEY:SECRET@host:port/bucket)');
    const useSSL = u.protocol === 'https:';
    const num = (name: string) => (u.searchParams.has(name) ? Number(u.searchParams.get(name)) : undefined);
    return new S3Node({
      id,
      endPoint: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port ? Number(u.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: decodeURIComponent(u.username),
      secretKey: decodeURIComponent(u.password),
      bucket,
      keyPrefix: rest.length > 0 ? `${rest.join('/')}/` : '',
      region: u.searchParams.get('region') ?? undefined,
      timeoutMs: num('timeoutMs'),
      deadlineMs: num('deadlineMs'),
      retries: num('retries'),
      ...overrides,
    });
  }

  /** Creates the bucket if it does not exist yet. */
  async ensureBucket(): Promise<void> {
    await this.call('ensureBucket', async () => {
      if (await this.client.bucketExists(this.bucket)) return;
      try {
        await this.client.makeBucket(this.bucket, this.region);
      } catch (err) {
        // Another process made it in between.
        if (!(isS3Error(err) && (err.code === 'BucketAlreadyOwnedByYou' || err.code === 'BucketAlreadyExists'))) throw err;
      }
    });
  }

  async put(key: string, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    checkKey(key);
    // A copy: a call abandoned at its deadline may still be sending when the caller reuses `data`.
    const buf = data instanceof Uint8Array ? Buffer.from(data) : Buffer.concat(data);
    await this.call(`put ${key}`, () => this.client.putObject(this.bucket, this.keyPrefix + key, buf, buf.length));
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Buffer> {
    checkKey(key);
    if (!range) return this.call(`get ${key}`, async () => readBody((await this.client.getObject(this.bucket, this.keyPrefix + key)) as IncomingMessage), key);
    checkRange(range);
    const { start, end } = range;
    if (start === end) {
      // minio reads length 0 as "to the end": answer an empty range without a ranged GET.
      const found = await this.head(key);
      if (!found) throw new NotFoundError(this.id, key);
      if (start > found.size) throw new InvalidArgumentError(`range [${start}, ${end}) starts past the end of ${key}`);
      return Buffer.alloc(0);
    }
    return this.call(
      `get ${key} [${start}, ${end})`,
      async () => {
        // minio hands back the raw response (typed as a plain Readable).
        const res = (await this.client.getPartialObject(this.bucket, this.keyPrefix + key, start, end - start)) as IncomingMessage;
        return rangeOf(res, await readBody(res), start, end);
      },
      key,
    );
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    checkKey(key);
    try {
      const st = await this.call(`head ${key}`, () => this.client.statObject(this.bucket, this.keyPrefix + key), key);
      return { size: st.size };
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    try {
      await this.call(`delete ${key}`, () => this.client.removeObject(this.bucket, this.keyPrefix + key), key);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err; // S3 answers 204 anyway; some servers 404
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    let token = '';
    do {
      const page = await this.call(`list ${prefix}`, () =>
        this.client.listObjectsV2Query(this.bucket, this.keyPrefix + prefix, token, '', PAGE_SIZE, ''),
      );
      for (const o of page.objects) {
        if (o.name !== undefined) yield o.name.slice(this.keyPrefix.length);
      }
      token = page.isTruncated ? page.nextContinuationToken ?? '' : '';
    } while (token !== '');
  }

  /** Closes idle connections. The node stays usable (new calls open new ones). */
  close(): void {
    this.transport.agent.destroy();
  }

  /** One driver call: deadline, retries of transient failures, and error mapping. */
  private async call<T>(op: string, fn: () => Promise<T>, key?: string): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const remaining = this.deadlineMs - (Date.now() - started);
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`call deadline of ${this.deadlineMs} ms passed`)), Math.max(1, remaining));
      const ctx: CallContext = { signal: abort.signal };
      let failure: Failure;
      let cause: unknown;
      try {
        return await withDeadline(ctx, fn);
      } catch (err) {
        cause = err;
        failure = classify(err, ctx);
      } finally {
        clearTimeout(timer);
      }
      if (failure.kind === 'not_found') throw new NotFoundError(this.id, key ?? op);
      if (failure.kind === 'invalid') throw new InvalidArgumentError(`node ${this.id}: ${op}: ${failure.message}`);
      const backoff = 50 * (attempt + 1);
      if (!failure.retry || attempt >= this.retries || Date.now() - started + backoff >= this.deadlineMs) {
        throw new NodeDownError(this.id, `${op}: ${failure.message}`, { cause });
      }
      await sleep(backoff);
    }
  }
}

/** Runs fn with ctx; rejects when ctx's signal fires even if the client never notices. */
function withDeadline<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
  const work = runInCall(ctx, fn);
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<never>((_, reject) => {
    onAbort = () => reject(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined); // lost the race: its late rejection is expected
  return Promise.race([work, deadline]).finally(() => ctx.signal.removeEventListener('abort', onAbort!));
}

/** HTTP answers that say "try again" (minio's own list; with its retry off it throws a plain Error for them). */
/** minio is loaded when the first S3Node is made: it costs ~20 MiB of memory, and a process on
 *  local-directory nodes (the embedded default) never needs it. */
let minio: typeof import('minio') | undefined;
const minioModule = (): typeof import('minio') => (minio ??= createRequire(import.meta.url)('minio') as typeof import('minio'));
const isS3Error = (err: unknown): err is import('minio').S3Error => minio !== undefined && err instanceof minio.S3Error;

const TRANSIENT_STATUS = new Set([408, 429, 499, 500, 502, 503, 504, 520]);

function classify(err: unknown, ctx: CallContext): Failure {
  const status = ctx.lastStatus;
  if (!isS3Error(err) && status !== undefined && TRANSIENT_STATUS.has(status)) {
    return { kind: 'down', retry: true, message: `HTTP ${status} from the server` };
  }
  if (isS3Error(err)) {
    const code = err.code ?? '';
    if (code === 'NoSuchKey' || (code === 'NotFound' && status === 404)) return { kind: 'not_found' };
    if (code === 'InvalidRange') return { kind: 'invalid', message: 'range starts past the end of the object' };
    if (code === 'NoSuchBucket') return { kind: 'down', retry: false, message: 'NoSuchBucket: the bucket does not exist (create it, or call ensureBucket)' };
    if (CONFIG_CODES.has(code)) {
      return { kind: 'down', retry: false, message: `${code}: the node rejects our credentials (check the access key and secret in its URL)` };
    }
    return { kind: 'down', retry: status !== undefined && TRANSIENT_STATUS.has(status), message: `${code || 'error'} (HTTP ${status ?? '?'}): ${err.message}` };
  }
  if (ctx.signal.aborted) return { kind: 'down', retry: false, message: 'call deadline passed' };
  if (err instanceof SocketIdleError) return { kind: 'down', retry: false, message: err.message };
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'down', retry: RESET_CODES.has(code), message: code ? `${code}: ${message}` : message };
}

/** Collects a response body, failing if the connection ends before Content-Length bytes came. */
async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const expected = res.headers['content-length'];
  if (expected !== undefined && Number(expected) !== size) {
    throw Object.assign(new Error(`body ended after ${size} of ${expected} bytes`), { code: 'ECONNRESET' });
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/**
 * The requested [start, end) of a ranged GET's body. Servers differ: one that ignores Range
 * answers 200 with the whole object, and s3rver answers `bytes=0-0` with all of it; the
 * Content-Range header says where the body really starts.
 */
function rangeOf(res: IncomingMessage, body: Buffer, start: number, end: number): Buffer {
  let bodyStart = 0;
  if (res.statusCode === 206) {
    const m = /^bytes (\d+)-/.exec(res.headers['content-range'] ?? '');
    bodyStart = m ? Number(m[1]) : start;
  }
  if (bodyStart > start) throw new Error(`server answered range [${start}, ${end}) from offset ${bodyStart}`);
  return body.subarray(start - bodyStart, end - bodyStart);
}
