import { clickHouseErrorCode, isDataRejection, type Storage } from '@spanlens/clickhouse';
import type { DeadLetter, LogRecord } from '../log/log.ts';
import { lines } from './lines.ts';

/** Rows of one record going into one insert: its whole body, or the lines left after skips. */
export interface Piece {
  record: LogRecord;
  body: Buffer;
  rows: number;
}

const NEWLINE = Buffer.from('\n');

// ClickHouse's own error name (the message would quote the row, which can hold prompts).
function codeName(err: unknown): string {
  const m = /\(([A-Z_]+)\)\s*(?:\(version [^)]*\))?\s*$/.exec(String((err as { type?: unknown }).type ?? (err as Error).message ?? ''));
  return m ? `, ${m[1]}` : '';
}

function body(pieces: readonly Piece[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of pieces) {
    parts.push(p.body);
    if (p.body.length > 0 && p.body[p.body.length - 1] !== 0x0a) parts.push(NEWLINE);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * Inserts the pieces as one body with the batch's token. When ClickHouse refuses the data
 * itself, halves the pieces (and a lone piece into its lines) until the refused rows are
 * found, and returns them for the dead-letter path; each half has a token derived from its
 * parent's, so a replay after a crash splits the same way. Anything else is thrown for the
 * writer to retry.
 */
export async function insertOrIsolate(storage: Storage, table: string, columns: readonly string[], pieces: Piece[], token: string): Promise<{ inserted: number; refused: DeadLetter[] }> {
  const rows = pieces.reduce((n, p) => n + p.rows, 0);
  if (rows === 0) return { inserted: 0, refused: [] };
  try {
    await storage.insertCompact(table, columns, body(pieces), { dedupToken: token });
    return { inserted: rows, refused: [] };
  } catch (err) {
    if (!isDataRejection(err)) throw err;
    if (rows === 1) {
      const p = pieces.find((x) => x.rows > 0)!;
      return {
        inserted: 0,
        refused: [{ record: p.record, row: p.body, reason: `ClickHouse refused the row as ${table} (code ${clickHouseErrorCode(err)}${codeName(err)}): not a valid ${p.record.format} record` }],
      };
    }
    const split = pieces.length > 1 ? pieces : lines(pieces[0]!.body).map((line) => ({ record: pieces[0]!.record, body: line, rows: 1 }));
    const mid = split.length >> 1;
    const a = await insertOrIsolate(storage, table, columns, split.slice(0, mid), `${token}/a`);
    const b = await insertOrIsolate(storage, table, columns, split.slice(mid), `${token}/b`);
    return { inserted: a.inserted + b.inserted, refused: [...a.refused, ...b.refused] };
  }
}
