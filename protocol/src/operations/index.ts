/** Every operation of /api/v1, by operationId. */
import type { Operation } from '../operation.js';
import * as account from './account.js';
import * as admin from './admin.js';
import * as batch from './batch.js';
import * as batchDownload from './batch-download.js';
import * as adminAudit from './admin-audit.js';
import * as adminLifecycle from './admin-lifecycle.js';
import * as adminOverview from './admin-overview.js';
import * as adminPeople from './admin-people.js';
import * as adminSettings from './admin-settings.js';
import * as adminStorage from './admin-storage.js';
import * as files from './files.js';
import * as links from './links.js';
import * as revisionsKeep from './revisions-keep.js';
import * as sharing from './sharing.js';
import * as sso from './sso.js';
import * as sync from './sync.js';
import * as wire from './wire.js';
import * as transfer from './transfer.js';
import * as twofactor from './twofactor.js';
export { userOperations } from './user.js';

export const operations = { ...account, ...admin, ...adminOverview, ...adminPeople, ...adminStorage, ...adminAudit, ...adminSettings, ...files, ...transfer, ...sync, ...wire, ...batch, ...batchDownload, ...sharing, ...links, ...twofactor, ...sso, ...revisionsKeep, ...adminLifecycle } as const;
export type Operations = typeof operations;

/** The same as a list, in the order the document lists them. */
export const ALL_OPERATIONS: readonly Operation[] = Object.values(operations);
