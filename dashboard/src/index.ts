import { fileURLToPath } from 'node:url';

/** The built dashboard (vite build output, `npm run build -w @spanlens/dashboard`), served by the API process at `/`. */
export const dashboardDir = fileURLToPath(new URL('../dist/', import.meta.url));
