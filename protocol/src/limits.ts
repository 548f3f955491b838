/** The upload limits that are part of the contract: a client that keeps to them is never refused for size. */
import { CHUNKER_PARAMETERS } from './blocks.js';

/** 10 GiB a file (DESIGN §1). */
export const MAX_FILE_BYTES = 10 * 1024 ** 3;

/** The chunker cuts nothing shorter than its minimum but the last block: a 10 GiB file has at most this many. */
export const MAX_COMMIT_BLOCKS = Math.ceil(MAX_FILE_BYTES / CHUNKER_PARAMETERS.minSize) + 1;

/** Room for the longest block list (`{"hash":"…","size":4259840},` is about 90 bytes) and the rest of a commit. */
export const MAX_COMMIT_BODY_BYTES = MAX_COMMIT_BLOCKS * 128 + 64 * 1024;

/** Hashes per `POST /blocks/missing`: one question covers a 10 GiB file of average blocks
 *  (about 9,000 of 1.15 MiB); longer lists go in several. */
export const MAX_MISSING_HASHES = 10_000;

/** Room for the longest missing-blocks question (a quoted hash and a comma are 67 bytes; spaces allowed). */
export const MAX_MISSING_BODY_BYTES = MAX_MISSING_HASHES * 80 + 1024;

/** Ids per `POST /notifications/read`. */
export const MAX_READ_IDS = 1000;

/** The default cap on other JSON request bodies (the server's `COFFER_MAX_JSON_BYTES` may change it). */
export const DEFAULT_MAX_JSON_BYTES = 64 * 1024;

/** Folders per `POST /list/batch`, and the entries its answer holds at most, all folders together. */
export const MAX_LIST_BATCH_FOLDERS = 100;
export const MAX_LIST_BATCH_ENTRIES = 10_000;

/** Files per `POST /files/commit/batch`: a batch commits in one transaction, so it stays a bounded one. */
export const MAX_BATCH_FILES = 1000;

/** Block references per batch commit, all files together (a batch is for many small files; a big one commits alone). */
export const MAX_BATCH_BLOCKS = 10_000;

/** Blocks up to which a file's block list is in its journal entries (ChangeEntry.blocks, issue 21). */
export const MAX_CHANGE_BLOCKS = 4;

/** Pack bytes a batch commit may carry inline (issue 21: a few small files' blocks travel with their
 *  commit, one request instead of three); base64 in the JSON body. */
export const MAX_INLINE_PACK_BYTES = 64 * 1024;

/** Room for a full batch: each file's path (up to 4 KiB, JSON-escaped) and fields, its block list, and an inline pack. */
export const MAX_BATCH_BODY_BYTES = MAX_BATCH_FILES * 5 * 1024 + MAX_BATCH_BLOCKS * 128 + 64 * 1024 + Math.ceil(MAX_INLINE_PACK_BYTES / 3) * 4;

/** Bytes per `POST /blocks/pack`: held whole and verified before any block is stored, so bounded;
 *  room for one block of the largest size and its entry header. */
export const MAX_PACK_BYTES = 16 * 1024 * 1024;

/** Entries per pack (many tiny blocks would otherwise make one request do unbounded work). */
export const MAX_PACK_BLOCKS = 4096;

/** Hashes per `POST /blocks/fetch`: enough for a batch of small files' blocks in one answer. */
export const MAX_FETCH_BLOCKS = 1024;

/** Block bytes per `POST /blocks/fetch` answer (streamed, but one request should stay a bounded piece of work);
 *  room for several blocks of the largest size. A client groups the blocks it asks for by the sizes it knows. */
export const MAX_FETCH_BYTES = 32 * 1024 * 1024;

/** Room for the longest fetch question (a quoted hash and a comma are 67 bytes; spaces allowed). */
export const MAX_FETCH_BODY_BYTES = MAX_FETCH_BLOCKS * 80 + 1024;
