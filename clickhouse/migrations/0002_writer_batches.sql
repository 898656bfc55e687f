-- Write-ahead record of each batch a Kafka writer inserts: its offsets, the offsets it
-- skipped (already stored) and its deduplication token. After a crash the writer replays
-- exactly that batch with the same token, so ClickHouse drops what it already has and
-- fills what it lacks (a rollup the crash cut off), and nothing is counted twice.
CREATE TABLE IF NOT EXISTS writer_batches
(
    group_id      String,
    topic         String,
    partition     UInt32,
    first_offset  UInt64,
    last_offset   UInt64,
    skipped       Array(UInt64),
    token         String,
    created_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (group_id, topic, partition, first_offset)
TTL toDateTime(created_at) + INTERVAL 7 DAY;
