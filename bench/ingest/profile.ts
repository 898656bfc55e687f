// CPU profile of `spanlens start` under the benchmark's 2 KB load: node --cpu-prof in the
// child; the .cpuprofile lands in the given directory (open it in Chrome DevTools).
// Usage: node --import tsx bench/ingest/profile.ts [dir=/tmp/spanlens-prof] [seconds=15]
import { mkdirSync } from 'node:fs';
import { RequestTemplate, runLoad } from './load.ts';
import { spansPerRequest } from './payload.ts';
import { KEY, startSpanlens } from './spanlens.ts';

const dir = process.argv[2] ?? '/tmp/spanlens-prof';
const seconds = Number(process.argv[3] ?? 15);
mkdirSync(dir, { recursive: true });
const sl = await startSpanlens({}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
const n = spansPerRequest(2048);
const load = await runLoad({ url: sl.url, key: KEY, templates: [new RequestTemplate(n, 2048), new RequestTemplate(n, 2048, 7)], seconds, concurrency: 8 });
console.log(`${load.spansPerSecond} spans/s while profiling`);
await sl.stopAndCount();
