/**
 * The operations a signed-in person's apps call (no admin-role ones), in a module of their own:
 * the web app imports these rather than `operations`, so its bundle neither holds nor builds the
 * dashboard's schemas at start-up (index.ts's `ALL_OPERATIONS` keeps every operation it names).
 */
import * as account from './account.js';
import * as batch from './batch.js';
import * as batchDownload from './batch-download.js';
import * as files from './files.js';
import * as links from './links.js';
import * as revisionsKeep from './revisions-keep.js';
import * as sharing from './sharing.js';
import * as sso from './sso.js';
import * as sync from './sync.js';
import * as transfer from './transfer.js';
import * as twofactor from './twofactor.js';
import * as wire from './wire.js';

export const userOperations = { ...account, ...files, ...transfer, ...sync, ...wire, ...batch, ...batchDownload, ...sharing, ...links, ...twofactor, ...sso, ...revisionsKeep } as const;
