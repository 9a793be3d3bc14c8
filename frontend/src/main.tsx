import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from '@/app';
import { initI18n } from '@/lib/i18n';
import { registerServiceWorker } from '@/lib/service-worker';

import '@/styles/index.css';

initI18n();
registerServiceWorker();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
