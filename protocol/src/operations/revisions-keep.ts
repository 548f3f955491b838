/** Keep forever (issue 23): a revision marked to keep survives every retention run. */
import { z } from 'zod';
import { id, int4, path } from '../fields.js';
import { operation } from '../operation.js';
import { Revision } from '../shapes/transfer.js';

const KeepRevisionRequest = z
  .object({
    path: path().optional(),
    id: id().optional(),
    rev: int4(1),
    keep: z.boolean().default(true).register(z.globalRegistry, { description: 'false lets retention thin it again' }),
  })
  .refine((b) => (b.path === undefined) !== (b.id === undefined), { message: 'give either path or id' })
  .register(z.globalRegistry, { id: 'KeepRevisionRequest' });

export const keepRevision = operation({
  id: 'keepRevision',
  method: 'POST',
  path: '/revisions/keep',
  tag: 'revisions',
  summary: 'Mark a revision to keep forever, or let retention thin it again',
  description:
    'Names the file by `path` or by `id`, exactly one. A kept revision that is not the head counts against the owner’s quota ' +
    '(507 `quota_exceeded` when it would not fit); the head counts already. 404 `no_revision` for a revision not kept; 409 `is_folder` for a folder.',
  auth: 'user',
  body: { json: KeepRevisionRequest },
  answers: { 200: { description: 'The revision as it now is', json: Revision } },
  errors: [404, 409, 507],
});
