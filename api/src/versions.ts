// Versions must grow even for two writes in one millisecond.
let lastVersion = 0;

/** The version of a ReplacingMergeTree row written now: microseconds, strictly increasing in this process. */
export const nextVersion = (): number => (lastVersion = Math.max(Date.now() * 1000, lastVersion + 1));
