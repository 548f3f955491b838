/**
 * Names shared by the service worker (sw.ts) and the page: its caches, the share target's inbox,
 * and the header that marks an API answer served from the offline copy.
 */

/** The app shell of one build: `coffer-shell-<build>`; older ones are deleted on activate. */
export const SHELL_CACHE_PREFIX = 'coffer-shell-';
/** Read-only copies of the last answers the user saw (who they are, folder listings), for offline. */
export const OFFLINE_CACHE = 'coffer-offline-v1';
/** Files another app shared to Coffer, waiting for the page to upload them. */
export const SHARE_CACHE = 'coffer-share-inbox';
/** Where the OS share sheet posts (manifest `share_target.action`) and the screen that uploads. */
export const SHARE_TARGET_PATH = '/share-target';
/** Inbox keys: `/share-inbox/<batch>/<n>`; the entry's headers carry the file's name and type. */
export const SHARE_INBOX_PREFIX = '/share-inbox/';
export const SHARED_NAME_HEADER = 'X-Coffer-Shared-Name';
/** Set on an API answer the worker took from OFFLINE_CACHE because the network failed. */
export const OFFLINE_COPY_HEADER = 'X-Coffer-Offline-Copy';
/** At most this many API answers are kept for offline reading (the oldest go first). */
export const OFFLINE_ENTRIES = 60;
