/**
 * Making a thumbnail: sharp (libvips), from its prebuilt binaries on npm (nothing to compile);
 * why sharp and not a pure-JS decoder is said in server/README.md. The work is bounded before
 * anything is decoded: the type by name and by content (sharp reads only the header for
 * `metadata()`), the pixel count against MAX_PIXELS (a 20,000 × 20,000 PNG of a few KiB — a
 * decompression bomb — is refused from its header; `limitInputPixels` is the second lock), and
 * at most `slots` renders at once per server (a `Renderer` is made with its routes), so memory
 * stays bounded under load.
 */
import type { Metadata, Sharp, SharpOptions } from 'sharp';
import { UnprocessableContentError, UnsupportedMediaTypeError } from '../http-errors.js';

/** Source files larger than this are not read for a thumbnail (they are held whole while decoding). */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
/** The largest image decoded: 64 MP (a 48 MP phone photo fits; 4 bytes a pixel at worst ≈ 256 MiB, JPEG shrinks on load). */
export const MAX_PIXELS = 64_000_000;

/** The types a thumbnail is made of: media types by name, and sharp's names for the content. */
export const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']);
const IMAGE_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);

/**
 * sharp, loaded at the first thumbnail: libvips and its module graph are ~6 MiB of RSS and ~2 of
 * heap a server that never makes one would carry for nothing (server/README.md, "Memory").
 */
let loaded: Promise<(input: Buffer, options: SharpOptions) => Sharp> | undefined;
function sharpOf(): Promise<(input: Buffer, options: SharpOptions) => Sharp> {
  loaded ??= import('sharp').then(({ default: sharp }) => {
    // No cache of decoded images between calls (memory), one libvips thread per render (slots bound the rest).
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp;
  });
  return loaded;
}

export interface Rendered {
  data: Buffer;
  width: number;
  height: number;
}

export function notAnImage(what: string): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError(`${what}: thumbnails are made of JPEG, PNG, WebP, GIF and AVIF images`, { code: 'not_an_image' });
}

export function tooLarge(details: Record<string, number>): UnprocessableContentError {
  return new UnprocessableContentError('the image is too large for a thumbnail: download it instead', {
    code: 'image_too_large',
    details: { maxPixels: MAX_PIXELS, maxBytes: MAX_SOURCE_BYTES, ...details },
  });
}

/** Renders thumbnails, at most `slots` at once; the others wait their turn. */
export class Renderer {
  private busy = 0;
  private readonly waiting: (() => void)[] = [];
  /** How many images this renderer decoded past their header (a cache hit or a refusal adds nothing). */
  decoded = 0;
  /** The most renders that ever ran at once (at most `slots`). */
  peak = 0;

  constructor(private readonly slots = 2) {}

  /**
   * A WebP whose longest edge is at most `edge` (never enlarged), of the first frame, turned as
   * EXIF says. The source is loaded inside the slot too, so waiting requests hold no bytes.
   */
  async render(load: () => Promise<Buffer>, edge: number, name: string): Promise<Rendered> {
    return this.inSlot(async () => {
      const source = await load();
      if (source.byteLength > MAX_SOURCE_BYTES) throw tooLarge({ bytes: source.byteLength });
      return renderNow(source, edge, name, () => this.decoded++);
    });
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    this.peak = Math.max(this.peak, this.busy);
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}

async function renderNow(source: Buffer, edge: number, name: string, onDecode: () => void): Promise<Rendered> {
  const opts = { limitInputPixels: MAX_PIXELS, failOn: 'error', sequentialRead: true, pages: 1 } as const;
  const sharp = await sharpOf();
  let meta: Metadata;
  try {
    // The header only: the pixel budget is checked below with the dimensions in hand.
    meta = await sharp(source, { ...opts, limitInputPixels: false }).metadata();
  } catch {
    throw notAnImage(name);
  }
  if (!meta.format || !IMAGE_FORMATS.has(meta.format)) throw notAnImage(name);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > MAX_PIXELS) throw tooLarge({ width, height });
  onDecode();
  try {
    const { data, info } = await sharp(source, opts)
      .rotate()
      .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80, effort: 2 })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) throw tooLarge({ width, height });
    throw new UnprocessableContentError('the image could not be decoded (corrupt or truncated?)', { code: 'image_unreadable' });
  }
}

