import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url).pathname;

// No container engine runs here, so the compose file is checked for what the tests can see:
// it parses, every Spanlens command in it exists, and its Kafka is the version the suite runs.
test('docker-compose.yml describes the many-machine stack with commands that exist', () => {
  const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; command?: string[]; environment?: Record<string, string> }>;
  };
  assert.deepEqual(Object.keys(compose.services).sort(), ['api', 'clickhouse', 'ingest-1', 'ingest-2', 'kafka', 'writer']);
  const help = spawnSync(process.execPath, ['server/bin/spanlens.js', 'help'], { cwd: ROOT, encoding: 'utf8' }).stdout;
  for (const name of ['ingest-1', 'ingest-2', 'writer', 'api']) {
    const s = compose.services[name]!;
    assert.equal(s.command?.[1], 'server/bin/spanlens.js', name);
    const sub = s.command!.slice(2).join(' ');
    assert.ok(help.includes(sub), `'${sub}' is not a spanlens command:\n${help}`);
    assert.equal(s.environment?.KAFKA_BROKERS, 'kafka:9092', name);
    assert.match(s.environment?.CLICKHOUSE_URL ?? '', /^http:\/\/.+@clickhouse:8123\/spanlens$/);
  }
  // Judge keys sealed by one API replica must open on every other: the secret is shared, not per container.
  assert.match(compose.services.api!.environment?.SPANLENS_SECRET_KEY ?? '', /^\$\{SPANLENS_SECRET_KEY:\?/);
  const pomVersion = /<kafka\.version>([^<]+)</.exec(readFileSync(`${ROOT}scripts/kafka/pom.xml`, 'utf8'))![1];
  assert.equal(compose.services.kafka!.image, `apache/kafka:${pomVersion}`);
});
