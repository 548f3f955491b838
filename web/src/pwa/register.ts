/**
 * Registers the service worker (production builds only: the dev server has no sw.js), after the
 * page has loaded so the worker's precaching does not compete with the first render.
 */
import { OFFLINE_CACHE } from './caches';

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err: unknown) => console.warn('service worker not registered:', err));
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/** Forgets the offline copies of the user's answers (on sign-out: the next person sees none). */
export async function forgetOfflineCopies(): Promise<void> {
  if ('caches' in window) await caches.delete(OFFLINE_CACHE).catch(() => false);
}
