import { fileURLToPath } from 'node:url';

/** The dashboard's static files, served by the API process at `/`. */
export const dashboardDir = fileURLToPath(new URL('../public/', import.meta.url));
