export * from './client.ts';
export * from './migrate.ts';
export * from './projects.ts';
export * from './rows.ts';
export * from './key-cache.ts';
export * from './errors.ts';
export * from './feedback.ts';
export * from './redaction-settings.ts';
