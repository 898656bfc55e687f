const NEWLINE = 0x0a;

/**
 * The lines of an insert body, as views (JSONCompactEachRow escapes newlines inside
 * values, so every '\n' ends a row). Only for the rare paths that need single rows: a
 * refused insert being narrowed down, a row the repeat check must read, a skipped repeat.
 */
export function lines(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = body.indexOf(NEWLINE); i >= 0; i = body.indexOf(NEWLINE, start)) {
    out.push(body.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < body.length) out.push(body.subarray(start));
  return out;
}
