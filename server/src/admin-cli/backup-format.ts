/**
 * A backup file: an age file (https://age-encryption.org, passphrase recipient: scrypt, then
 * ChaCha20-Poly1305 in 64 KiB authenticated chunks), so `age -d` opens it too. Inside: one JSON
 * line, the manifest (what the dump is, the master key, the server secret), then the database
 * dump's bytes. Restores decrypt the whole file before touching anything: a wrong passphrase,
 * truncation or tampering is found first.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decrypter, Encrypter } from 'age-encryption';
import { z } from 'zod';
import { AdminError } from './context.js';

export const DumpKind = z.enum(['pg_dump-custom', 'pglite-tar-gz']);

export const Manifest = z.object({
  format: z.literal('coffer-backup'),
  version: z.literal(1),
  createdAt: z.string(),
  database: z.object({ kind: z.enum(['postgres', 'pglite']), dump: DumpKind, migrations: z.number().int().min(0) }),
  keys: z.object({ master: z.string(), serverSecret: z.string() }),
});
export type Manifest = z.infer<typeof Manifest>;

const MAX_MANIFEST = 64 * 1024;

/** Encrypt manifest + dump into `file` (written whole, then fsync'd; the caller renames it into place). */
export async function writeBackupFile(file: string, manifest: Manifest, dump: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, passphrase: string): Promise<void> {
  async function* plain() {
    yield Buffer.from(JSON.stringify(manifest) + '\n');
    yield* dump;
  }
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  const sealed = await e.encrypt(Readable.toWeb(Readable.from(plain())) as ReadableStream<Uint8Array>);
  await pipeline(Readable.fromWeb(sealed as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(file, { mode: 0o600 }));
  const fh = await open(file, 'r');
  await fh.sync().finally(() => fh.close());
}

/** Decrypt `file`: the manifest, and the dump written to `dumpFile` (mode 0600). */
export async function readBackupFile(file: string, passphrase: string, dumpFile: string): Promise<Manifest> {
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  let plain: ReadableStream<Uint8Array>;
  try {
    plain = await d.decrypt(Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>);
  } catch (err) {
    throw new AdminError(`${file}: cannot open the backup (${(err as Error).message}): a wrong passphrase, or not a coffer-admin backup`);
  }
  let head = Buffer.alloc(0);
  let manifest: Manifest | undefined;
  const out = createWriteStream(dumpFile, { mode: 0o600 });
  const splitter = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (manifest) return out.write(chunk) ? done() : out.once('drain', () => done());
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(0x0a);
      if (nl < 0) return head.length > MAX_MANIFEST ? done(new AdminError(`${file} is not a coffer-admin backup (no manifest)`)) : done();
      try {
        manifest = parseManifest(head.subarray(0, nl).toString('utf8'), file);
      } catch (err) {
        return done(err as Error);
      }
      const rest = head.subarray(nl + 1);
      return out.write(rest) ? done() : out.once('drain', () => done());
    },
    final(done) {
      out.end(() => done());
    },
  });
  try {
    await pipeline(Readable.fromWeb(plain as import('node:stream/web').ReadableStream<Uint8Array>), splitter);
  } catch (err) {
    out.destroy();
    if (err instanceof AdminError) throw err;
    throw new AdminError(`${file}: the backup is damaged or truncated (${(err as Error).message})`);
  }
  if (!manifest) throw new AdminError(`${file} is not a coffer-admin backup (no manifest)`);
  return manifest;
}

function parseManifest(line: string, file: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new AdminError(`${file} is not a coffer-admin backup (its manifest is not JSON)`);
  }
  const m = Manifest.safeParse(json);
  if (!m.success) throw new AdminError(`${file} is not a coffer-admin backup this version can read (${m.error.issues[0]?.message})`);
  return m.data;
}
