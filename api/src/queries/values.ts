/** A number as ClickHouse's JSON formats give it: 64-bit integers come quoted. */
export type Num = number | string;

export const n = (v: Num): number => Number(v);

/** ClickHouse stores a missing text as ''; the API's contract says null. */
export const nullIfEmpty = (s: string): string | null => (s === '' ? null : s);
