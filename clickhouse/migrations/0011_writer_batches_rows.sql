-- The one writer reads records that hold many rows (the local log: one record per request),
-- so a batch's skipped repeats are recorded by row ordinal within the batch, not by offset.
ALTER TABLE writer_batches ADD COLUMN IF NOT EXISTS skipped_rows Array(UInt32) AFTER skipped;
