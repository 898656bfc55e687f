#!/usr/bin/env node
// The `spanlens` command: TypeScript sources run through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
