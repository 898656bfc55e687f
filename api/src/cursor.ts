import { z } from 'zod';
import { ApiError } from './errors.ts';

/**
 * Keyset cursors: the sort, its direction, the last row's sort value and id. Bound to
 * the sort so a cursor from another ordering is refused instead of skipping rows.
 */
const cursorSchema = z.strictObject({
  s: z.string().max(40),
  o: z.enum(['asc', 'desc']),
  v: z.string().max(100),
  id: z.string().max(300),
});

export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(raw: string | undefined, sort: string, order: 'asc' | 'desc'): Cursor | undefined {
  if (raw === undefined) return undefined;
  let c: Cursor;
  try {
    c = cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    throw new ApiError('invalid_request', 'cursor: malformed, pass nextCursor from the previous page unchanged');
  }
  if (c.s !== sort || c.o !== order) {
    throw new ApiError('invalid_request', `cursor: made for sort=${c.s}&order=${c.o}, not sort=${sort}&order=${order}`);
  }
  return c;
}

/** HAVING/WHERE text that keeps rows after the cursor, for `expr` then `idExpr` in `order`. */
export function afterCursor(expr: string, idExpr: string, order: 'asc' | 'desc', valueParam: string, idParam: string): string {
  const op = order === 'desc' ? '<' : '>';
  return `(${expr} ${op} ${valueParam} OR (${expr} = ${valueParam} AND ${idExpr} ${op} ${idParam}))`;
}
