/**
 * The server's rules that hold without a database — names and paths, file views, the errors, the
 * upload and block checks, the change feed's answers — as one public face (`@coffer/server/rules`).
 * The client's simulation builds its model server from these so the model cannot drift from the
 * real one; nothing else outside server/ may import the server.
 */
export { checkBlockBytes, tooLarge } from './blocks/put.js';
export { hashParam } from './blocks/hash.js';
export { parsePack } from './blocks/pack-parse.js';
export type { JournalOp, JournalRow } from './files/journal.js';
export { nameTaken } from './files/move.js';
export { folderOf } from './files/tree.js';
export { fileView, type FileRow, type FileView } from './files/view.js';
export { BadRequestError, ConflictError, HttpError, NotFoundError, parse } from './http-errors.js';
export { conflictedCopyName, joinPath, nameKey, normalizeName, parsePath, uniqueName } from './names.js';
export { toChangeEntry, type ChangePage } from './sync/changes.js';
export { CursorResetError } from './sync/cursor.js';
export { checkFileSize } from './uploads/limits.js';
export { checkRule, type CommitRule } from './uploads/target.js';
