import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLog } from '../../src/log/local-log.ts';
import { SEGMENT_HEADER_BYTES } from '../../src/log/segment-format.ts';

const record = (i: number, rows = 2) => ({
  format: 'spans.v2',
  rows,
  keys: BigUint64Array.from({ length: rows }, (_, r) => BigInt(i * 100 + r)),
  body: Buffer.from(Array.from({ length: rows }, (_, r) => `["row ${i}.${r}"]\n`).join('')),
});

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'spanlens-log-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const segments = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort();

test('records come back in order, whole, with their keys; offsets count from 0', () =>
  withDir(async (dir) => {
    const log = await LocalLog.open(dir, { maxBytes: 1 << 20 });
    const offsets = await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(record(i))));
    assert.deepEqual(offsets, [0n, 1n, 2n, 3n, 4n]);
    const read = await log.read(0n, 1000);
    assert.deepEqual(
      read.map((r) => r.offset),
      [0n, 1n, 2n, 3n, 4n],
    );
    assert.equal(read[3]!.body.toString(), '["row 3.0"]\n["row 3.1"]\n');
    assert.deepEqual([...read[3]!.keys], [300n, 301n]);
    // maxRows bounds a batch by whole records; `through` asks for exactly a range.
    assert.deepEqual(
      (await log.read(0n, 3)).map((r) => r.offset),
      [0n, 1n],
    );
    assert.deepEqual(
      (await log.read(1n, 1, 3n)).map((r) => r.offset),
      [1n, 2n, 3n],
    );
    // maxBytes bounds it too (whole records, at least one): each record here is well over 20 bytes.
    assert.deepEqual(
      (await log.read(0n, 1000, undefined, 1)).map((r) => r.offset),
      [0n],
    );
    assert.deepEqual(
      (await log.read(0n, 1000, undefined, read[0]!.size + 1)).map((r) => r.offset),
      [0n, 1n],
    );
    await log.close();
  }));

test('group commit: appends that arrive while a sync runs share the next sync', () =>
  withDir(async (dir) => {
    const log = await LocalLog.open(dir, { maxBytes: 64 << 20 });
    await Promise.all(Array.from({ length: 400 }, (_, i) => log.append(record(i))));
    // 400 appends in one turn of the event loop: the first sync takes one, the next takes the rest.
    assert.ok(log.syncs <= 3, `${log.syncs} syncs for 400 appends`);
    assert.equal((await log.read(0n, 10_000)).length, 400);
    await log.close();
  }));

test('a torn last record (the process killed inside a write) is cut and reported; nothing before it is lost; appends go on', () =>
  withDir(async (dir) => {
    let log = await LocalLog.open(dir, { maxBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) await log.append(record(i));
    await log.close();
    const file = join(dir, segments(dir)[0]!);
    const whole = statSync(file).size;
    // A record header that promises 500 bytes, and 7 of them.
    const torn = Buffer.alloc(15);
    torn.writeUInt32LE(500, 0);
    appendFileSync(file, torn);
    const reports: string[] = [];
    log = await LocalLog.open(dir, { maxBytes: 1 << 20, report: (m) => reports.push(m) });
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /torn record after offset 3 .*the file ends inside the record\): cut 15 bytes at byte \d+; the 3 records before it are intact/);
    assert.equal(statSync(file).size, whole);
    assert.equal(log.end, 3n);
    assert.equal(await log.append(record(3)), 3n);
    assert.deepEqual(
      (await log.read(0n, 100)).map((r) => r.body.toString().slice(0, 9)),
      ['["row 0.0', '["row 1.0', '["row 2.0', '["row 3.0'],
    );
    await log.close();
  }));

test('a last record whose bytes do not match its checksum is cut too', () =>
  withDir(async (dir) => {
    let log = await LocalLog.open(dir, { maxBytes: 1 << 20 });
    for (let i = 0; i < 2; i++) await log.append(record(i));
    await log.close();
    const file = join(dir, segments(dir)[0]!);
    const size = statSync(file).size;
    truncateSync(file, size - 1);
    appendFileSync(file, Buffer.from('X'));
    const reports: string[] = [];
    log = await LocalLog.open(dir, { maxBytes: 1 << 20, report: (m) => reports.push(m) });
    assert.match(reports[0]!, /checksum mismatch/);
    assert.equal(log.end, 1n);
    await log.close();
  }));

test('commit is kept across restarts; segments wholly below it are deleted; the disk budget frees up', () =>
  withDir(async (dir) => {
    const big = (i: number) => ({ ...record(i, 1), body: Buffer.from(`["${'x'.repeat(3000)}${i}"]\n`) });
    let log = await LocalLog.open(dir, { maxBytes: 40_000, segmentBytes: 10_000 });
    const id = log.id;
    for (let i = 0; i < 14; i++) await log.append(big(i));
    assert.ok(segments(dir).length >= 3, `${segments(dir).length} segments`);
    assert.ok(log.full, `${log.usedBytes} bytes used of 40000`);
    await log.commit(12n);
    assert.ok(!log.full, `${log.usedBytes} bytes used after commit`);
    assert.ok(segments(dir).length <= 2);
    await log.close();

    log = await LocalLog.open(dir, { maxBytes: 40_000, segmentBytes: 10_000 });
    assert.equal(log.id, id);
    assert.equal(log.committed, 12n);
    assert.equal(log.end, 14n);
    assert.deepEqual(
      (await log.read(log.committed, 100)).map((r) => r.offset),
      [12n, 13n],
    );
    // A drained log gives its last segment back too, once it is a quarter full.
    await log.commit(14n);
    assert.ok(log.usedBytes <= SEGMENT_HEADER_BYTES, `${log.usedBytes} bytes after draining`);
    assert.equal(await log.append(big(14)), 14n);
    await log.close();
  }));

test('a segment that is not ours is refused with a clear error, never cut', () =>
  withDir(async (dir) => {
    appendFileSync(join(dir, '00000000000000000000.log'), Buffer.from('this is not a Spanlens segment, it is longer than a header'));
    await assert.rejects(LocalLog.open(dir, { maxBytes: 1 << 20 }), /not a Spanlens log segment \(bad magic\)/);
  }));
