/**
 * The error envelope every non-2xx JSON answer of /api/v1 has, `{ error: { code, message,
 * details? } }`, and every code the server answers with. A code is machine-readable and stable;
 * the message is for people. The server's HttpError takes only these codes (tsc checks it), and
 * answers are checked against the list in tests.
 */
import { z } from 'zod';

/** Each code with what it means; the OpenAPI document lists them. */
export const ERROR_CODES = {
  // By status, when nothing more precise applies.
  bad_request: 'The request is malformed',
  unauthorized: 'No valid bearer token or session cookie',
  forbidden: 'Not allowed',
  not_found: 'No such thing, or one the caller cannot reach (answered exactly alike)',
  method_not_allowed: 'The path does not take this method',
  conflict: 'The request conflicts with what is there',
  length_required: 'A Content-Length is needed',
  precondition_failed: 'A precondition did not hold',
  payload_too_large: 'The body is larger than allowed (a JSON body: larger than COFFER_MAX_JSON_BYTES)',
  unsupported_media_type: 'The body’s type is not one this operation takes',
  unsupported_encoding: 'The body’s Content-Encoding is not one the server decodes (Accept-Encoding names those it does)',
  range_not_satisfiable: 'The requested range lies outside the content',
  too_many_requests: 'Rate-limited: retry after Retry-After seconds',
  unavailable: 'Storage cannot serve right now: retry after Retry-After seconds',
  insufficient_storage: 'No room',
  internal: 'A server error; nothing to do but report it',
  integrity: 'Stored data failed its integrity check; the administrator has been alerted',
  retry: 'The request crossed another one and was not applied: send it again',
  answer_mismatch: 'The server’s answer did not match its own description (tests only: COFFER_VALIDATE_ANSWERS)',

  // Input.
  invalid_request: 'A field breaks its rule; details.issues[].path names it',
  invalid_json: 'The body is not valid JSON (or not UTF-8)',
  invalid_name: 'A name in a path is not allowed (empty, too long, reserved, control characters…)',
  invalid_path: 'A path is not allowed (too long, too deep, not absolute…)',
  invalid_url: 'The request’s Host makes no URL',
  invalid_hash: 'Not a SHA-256 (64 hex digits)',
  invalid_cursor: 'The cursor does not name one of yours',
  invalid_argument: 'The storage engine refused an argument',
  invalid_content_range: 'Content-Range is malformed or does not fit the body',
  invalid_content_length: 'Content-Length is not a whole number of bytes',
  incomplete_body: 'The body ended before it was complete',
  body_too_long: 'The body is longer than its Content-Range says',

  // Signing in and accounts.
  invalid_credentials: 'Wrong username or password',
  account_disabled: 'The account is disabled',
  cross_origin: 'A sign-in from another site’s page',
  csrf: 'A cookie-authenticated unsafe request without X-Coffer-CSRF: 1',
  admin_only: 'Only administrators may do this',
  app_password_not_allowed: 'App passwords cannot do this; sign in instead',
  password_change_required: 'The account must change its password first (POST /me/password)',
  wrong_password: 'The current password is wrong',
  invalid_code: 'The two-factor code is wrong, expired, or was used already',
  two_factor_ticket_invalid: 'The sign-in step is unknown, used or expired: start again',
  two_factor_enrolment_required: 'An administrator requires two-factor sign-in: enrol a factor first (GET /me/2fa)',
  totp_enabled: 'An authenticator app is enrolled already: remove it first',
  two_factor_not_enabled: 'The account has no second factor',
  passkey_invalid: 'The passkey’s answer did not verify',
  signup_closed: 'Sign-up is closed',
  password_login_disabled: 'This server signs people in only through its identity provider (single sign-on)',
  sso_not_configured: 'Single sign-on is not configured on this server',
  sso_state_invalid: 'The single sign-on attempt is unknown, used already, expired, or was started in another browser: start again',
  sso_failed: 'The identity provider refused the sign-in, or its answer did not verify',
  sso_claim_invalid: 'The identity provider’s claims lack what Coffer needs (a usable username, a verified email to link)',
  sso_username_taken: 'An account of that username exists and is not linked to this identity: ask an administrator',
  username_taken: 'That username is taken',
  last_admin: 'The change would leave no enabled administrator',
  cannot_delete_self: 'An administrator cannot delete their own account',

  // The file tree.
  name_taken: 'An entry of that name (case-insensitively) exists',
  exists: 'A file of that name exists: name its revision (baseRev) or overwrite',
  stale_revision: 'The entry is no longer at the revision named; details.current describes it',
  root: 'The root cannot be changed this way',
  into_itself: 'A folder cannot go into itself',
  cross_namespace: 'Entries cannot move between owners’ spaces',
  parent_not_found: 'A folder on the way does not exist',
  parent_not_folder: 'An entry on the way is a file',
  parent_missing: 'The original folder is gone: restore with `to`',
  parent_gone: 'The folder was deleted meanwhile',
  not_a_folder: 'The path names a file, not a folder',
  is_folder: 'A folder has no content or revisions',
  in_trash: 'The entry is in the trash already',
  not_in_trash: 'The entry is not in the trash',
  not_empty: 'The folder holds something live (recursive: false)',
  not_ready: 'The file has no content yet (its upload has not finished)',
  file_trashed: 'The file is in the trash',
  file_gone: 'The file was deleted meanwhile',
  no_revision: 'The file has no such revision',
  no_content: 'The file is still uploading its first revision',
  name_exhausted: 'No free name was found for a copy',

  // Thumbnails (GET /files/{id}/thumbnail).
  not_an_image: 'The file is not an image a thumbnail can be made of (JPEG, PNG, WebP, GIF, AVIF), by its name or its content',
  image_too_large: 'The image is past the thumbnail budget (details: maxPixels, maxBytes, and what it has): download it instead',
  image_unreadable: 'The image’s bytes could not be decoded (corrupt or truncated)',

  // Sharing.
  share_boundary: 'Entries cannot move into or out of a shared folder: copy them, then delete the original',
  read_only_share: 'The share is view-only: its recipients cannot change it',
  cannot_share: 'Only the owner (or an editor the owner allowed to re-share) can share this',
  already_shared: 'This entry is already shared with that user or group: change the share instead',
  no_such_grantee: 'No user or group of that name',
  share_self: 'You cannot share with yourself',
  share_in_share: 'Shares cannot nest: share the shared folder itself',
  group_name_taken: 'A group of that name exists',

  // Uploads.
  no_session: 'No such upload session',
  session_expired: 'The upload session expired: start a new one',
  session_busy: 'Another request is uploading to this session right now',
  already_committed: 'The upload has already completed',
  size_mismatch: 'The sizes given do not agree',
  range_gap: 'The piece does not start where the stored bytes end',
  file_too_large: 'A file may be at most 10 GiB',
  quota_exceeded: 'Over quota; details give usedBytes, reservedBytes, quotaBytes, neededBytes',

  // Blocks and commits from blocks.
  hash_mismatch: 'The block’s bytes do not hash to the name given',
  empty_block: 'A block has at least one byte',
  block_too_large: 'The block is larger than MAX_BLOCK_BYTES',
  invalid_pack: 'A block pack is malformed (its header, an entry’s length, or a truncated entry); nothing of it was stored',
  block_not_found: 'No file the caller may read has that block',
  fetch_too_large: 'The blocks asked for add up to more than MAX_FETCH_BYTES (details.maxBytes): ask for fewer at a time',
  invalid_encoding: 'An encoded block does not decode (or not to its declared size); nothing was stored',
  base_not_found: 'A delta’s base block is not in a file the caller may read; send the block without a base',
  missing_blocks: 'The commit names blocks the server lacks; details.missing lists them',
  block_list_unknown: 'The commit names a kept block list (blockList) the server no longer has: commit again with the blocks listed',
  block_list_mismatch: 'The commit gives a different number of sizes than its kept block list has blocks',
  block_size_mismatch: 'A block’s size is not the one stored',
  block_gone: 'A block was removed as garbage meanwhile: upload it again',

  // The change journal and the websocket.
  reset: 'The cursor cannot be served: list the tree again and follow from details.latestCursor',
  invalid_message: 'A websocket message the server does not understand',
  already_resumed: 'The websocket already follows the journal',

  // Storage nodes and jobs.
  node_exists: 'A node of that name exists or existed (names are never reused)',
  endpoint_in_use: 'Another node is at that endpoint',
  node_unreachable: 'The node did not take a test object',
  no_node: 'No such storage node (unknown or retired)',
  retired: 'The node is retired already',
  not_draining: 'Drain the node first',
  has_shards: 'The node still holds shards (details.shards)',
  last_hot_node: 'The hot tier keeps at least one node',
  not_active: 'The job has already finished',
  not_retryable: 'Only a failed or cancelled job can be retried',
  setting_pinned: 'The environment sets this setting: change it there',
  link_policy: 'The server’s link policy refuses this link (public links off, a password required, or an expiry too far)',

  // Public links (/s/{token}).
  link_locked: 'Too many wrong passwords for this link or from this address: retry after Retry-After seconds',
  link_gone: 'The link expired, was disabled or reached its download limit',
  // WebDAV (/dav/).
  invalid_xml: 'The XML body is malformed, declares a DOCTYPE or entities, or is not the element the method takes',
  locked: 'A WebDAV lock held by someone else covers the resource (423)',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** `{ error: { code, message, details? } }`. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODE_LIST).register(z.globalRegistry, { description: 'Machine-readable, snake_case (the list: `x-error-codes` of this document)' }),
      message: z.string().register(z.globalRegistry, { description: 'Human-readable reason, safe to show' }),
      details: z
        .unknown()
        .optional()
        .register(z.globalRegistry, { description: 'Structured details: `issues` for invalid input, `current` for conflicts, `retryAfter` for 429/503' }),
    }),
  })
  .register(z.globalRegistry, { id: 'Error', example: { error: { code: 'not_found', message: 'Not found' } } });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The error answers an operation may give, by status, with what each means. */
export const ERROR_STATUSES = {
  400: ['BadRequest', 'Invalid input (`invalid_request`, `invalid_json`, `invalid_name`, …); nothing was changed'],
  401: ['Unauthorized', 'No valid bearer token or session cookie (carries `WWW-Authenticate: Bearer`)'],
  403: [
    'Forbidden',
    'Authenticated but not allowed: not an admin, an app password where a sign-in is needed, a cookie request without `X-Coffer-CSRF`, or `password_change_required`',
  ],
  404: ['NotFound', 'No such entry, or one the caller cannot reach (answered exactly alike)'],
  409: ['Conflict', 'The target exists or the base revision is stale; `details.current` describes what is there'],
  410: ['Gone', 'The sync cursor can no longer be served (pruned, or from elsewhere): code `reset`, start over from `details.latestCursor`'],
  412: ['PreconditionFailed', 'A precondition (`If-Match`, `baseRev`) did not hold'],
  413: ['PayloadTooLarge', 'The body is larger than allowed or than declared'],
  415: ['UnsupportedMediaType', 'The content is not of a type this operation handles (`not_an_image`), or a JSON body’s Content-Encoding is not zstd or gzip (`unsupported_encoding`)'],
  416: ['RangeNotSatisfiable', 'The requested range lies outside the content (`Content-Range: bytes */size`)'],
  422: ['UnprocessableContent', 'The content is of the right type but cannot be processed (`image_too_large`, `image_unreadable`)'],
  429: ['TooManyRequests', 'Rate-limited; retry after `Retry-After` seconds (also `details.retryAfter`)'],
  503: ['ServiceUnavailable', 'Storage cannot serve right now, or the request crossed another (`retry`); retry after `Retry-After` seconds'],
  507: ['InsufficientStorage', 'Over quota (`quota_exceeded`)'],
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;
