/**
 * Whether the server is reachable, as the app last saw it: the browser's own online flag, a fetch
 * that failed at the network level, or an answer the service worker served from its offline copy.
 * The shell shows a banner while `offline` is true.
 */
import { computed, signal } from '@preact/signals';
import { OFFLINE_COPY_HEADER } from '../pwa/caches';
import { observeAnswers } from './client';

const browserOnline = signal(typeof navigator === 'undefined' ? true : navigator.onLine);
/** The last API call failed to reach the server, or was answered from the offline copy. */
const unreachable = signal(false);

export const offline = computed(() => !browserOnline.value || unreachable.value);

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    browserOnline.value = true;
    unreachable.value = false;
  });
  window.addEventListener('offline', () => {
    browserOnline.value = false;
  });
}

// After each call: unreachable on a network error or an answer from the offline copy.
observeAnswers({
  answered: (res) => (unreachable.value = res.headers.get(OFFLINE_COPY_HEADER) !== null),
  failed: () => (unreachable.value = true),
});
