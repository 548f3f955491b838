/**
 * bench:wire's single-file cases (issue 21): edits of a large random file, a rename, and real
 * upgrades — typescript.js from pinned npm tarballs and Debian packages pinned by SHA-256 (the
 * corpus code of bench:tree fetches and checks them).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { seededBytes } from '@coffer/server/testing/data';
import { debianPackage, npmTarball } from '../bench-tree/corpus.js';

const run = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;

export interface WireCase {
  name: string;
  /** The file's name; with `renamedTo` the edit is a rename to that name. */
  file: string;
  before: Buffer;
  after: Buffer;
  renamedTo?: string;
}

async function typescriptJs(cache: string, version: string): Promise<Buffer> {
  const tgz = await npmTarball(cache, `typescript@${version}`);
  const { stdout } = await run('tar', ['xzf', tgz, '-O', 'package/lib/typescript.js'], { encoding: 'buffer', maxBuffer: 64 * MiB });
  return stdout;
}

export async function wireCases(cache: string, sizeMiB: number): Promise<WireCase[]> {
  const big = seededBytes('bench-wire', sizeMiB * MiB);
  const flipped = Buffer.from(big);
  flipped[Math.floor(big.length / 2)]! ^= 0x01;
  const label = `${sizeMiB} MiB`;
  const cases: WireCase[] = [
    { name: `1 byte changed in ${label}`, file: 'random.bin', before: big, after: flipped },
    { name: `4 KiB inserted at the start of ${label}`, file: 'random.bin', before: big, after: Buffer.concat([seededBytes('bench-wire-insert', 4 * KiB), big]) },
    { name: `4 KiB appended to ${label}`, file: 'random.bin', before: big, after: Buffer.concat([big, seededBytes('bench-wire-append', 4 * KiB)]) },
    { name: `rename of ${label}`, file: 'random.bin', before: big, after: big, renamedTo: 'renamed.bin' },
  ];
  for (const [from, to] of [
    ['5.4.5', '5.5.4'],
    ['5.7.3', '5.8.3'],
  ] as const) {
    const before = await typescriptJs(cache, from);
    cases.push({ name: `typescript.js ${from} → ${to} (${(before.length / MiB).toFixed(1)} MiB)`, file: 'typescript.js', before, after: await typescriptJs(cache, to) });
  }
  for (const [name, from, to] of [
    ['libssl3', '3.0.20-1~deb12u2', '3.0.22-1~deb12u2'],
    ['postgresql-15', '15.18-0+deb12u1', '15.20-0+deb12u1'],
  ] as const) {
    const before = await readFile(await debianPackage(cache, `${name}=${from}`));
    const after = await readFile(await debianPackage(cache, `${name}=${to}`));
    cases.push({ name: `${name}.deb ${from.split('-')[0]} → ${to.split('-')[0]} (${(after.length / MiB).toFixed(1)} MiB)`, file: `${name}.deb`, before, after });
  }
  return cases;
}
