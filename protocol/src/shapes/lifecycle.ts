/** What the operator sees of the lifecycle jobs (issue 23): the change journal's size and age. */
import { z } from 'zod';
import { count } from '../fields.js';
import { timestamp } from './common.js';

export const AdminJournal = z
  .object({
    rows: count().register(z.globalRegistry, { description: 'Entries the journal holds, every namespace together' }),
    bytes: count().register(z.globalRegistry, { description: 'Its size on disk, indexes included' }),
    oldestSeq: count().nullable(),
    oldestAt: timestamp().nullable().register(z.globalRegistry, { description: 'When the oldest entry kept was written; devices behind it list their tree again' }),
    headSeq: count().nullable(),
    retentionDays: z.number().int().register(z.globalRegistry, { description: 'Entries older than this are pruned by the daily retention job (setting journalRetentionDays)' }),
  })
  .register(z.globalRegistry, { id: 'AdminJournal' });
export type AdminJournal = z.infer<typeof AdminJournal>;

export const TransferUserRequest = z
  .strictObject({ to: z.uuid().register(z.globalRegistry, { description: 'The account that receives the files (its quota is charged)' }) })
  .register(z.globalRegistry, { id: 'TransferUserRequest' });

export const TransferUserResult = z
  .object({
    folder: z.string().register(z.globalRegistry, { description: 'The folder at the recipient’s root holding the files (“From <username>”)' }),
    files: count(),
    folders: count(),
    bytes: count().register(z.globalRegistry, { description: 'Charged to the recipient’s quota' }),
    sharesReowned: count(),
  })
  .register(z.globalRegistry, { id: 'TransferUserResult' });
export type TransferUserResult = z.infer<typeof TransferUserResult>;
