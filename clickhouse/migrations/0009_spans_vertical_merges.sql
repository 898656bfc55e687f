-- Every merge of `spans` runs column by column (the vertical algorithm) rather than reading
-- all ~50 columns of every source part at once. Under a 2 KB ingest load the engine's
-- tracked memory peaked at 315-337 MB with the default (vertical only from 131,072 rows),
-- when a small merge overlapped an insert, and at 95 MB with this; the ingest rate was the
-- same (BENCHMARKS.md, memory). Parts written before keep their layout; only merges change.
ALTER TABLE spans MODIFY SETTING vertical_merge_algorithm_min_rows_to_activate = 1, vertical_merge_algorithm_min_columns_to_activate = 1;
