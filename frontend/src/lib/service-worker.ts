/**
 * Registers `/sw.js` (frontend/public/sw.js), which keeps the app shell and the published form
 * and flow versions available offline, and hands it the scripts and styles this first visit
 * loaded before it was in control, so the next reload works without a network.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('/sw.js')
      .then(() => navigator.serviceWorker.ready)
      .then((registration) => {
        const urls = performance
          .getEntriesByType('resource')
          .map((entry) => entry.name)
          .filter((url) => new URL(url).pathname.startsWith('/assets/'));
        registration.active?.postMessage({ type: 'cache-urls', urls });
      })
      .catch(() => {
        // No service worker (private mode, policy): everything works online.
      });
  });
}
