-- Everything the trace page shows, stored by trace: one row per span and per score, each
-- with its fields as one JSON text. The page is then one primary-key lookup of a narrow
-- table. From `spans` it took the trace's hours from trace_index first, then 38 column
-- files of the hour's granule, plus a feedback statement: 46 ms median, 79 ms p95 on 10 M
-- spans, nearly all of it the engine's fixed work per statement and per column
-- (BENCHMARKS.md, "Trace detail"). The price is a second copy of each span on disk.
-- Weekly partitions: a lookup reads each part's index, so daily ones (31+ parts) cost
-- 65 ms; expired rows go in TTL merges of the oldest week, so retention stays exact.
-- The doc is `* EXCEPT` the key columns, so a column added to spans or feedback later
-- appears in the docs written from then on without touching the views.
CREATE TABLE IF NOT EXISTS trace_items
(
    project_id  LowCardinality(String),
    trace_id    String CODEC(ZSTD(1)),
    item        Enum8('span' = 1, 'feedback' = 2),
    item_id     String CODEC(ZSTD(1)),
    -- A span's start, a score's time: retention and sorting.
    time        DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    -- The source row's ingested_at: of two copies of one item, the later wins.
    version     DateTime64(3, 'UTC'),
    doc         String CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toMonday(time)
ORDER BY (project_id, trace_id, item, item_id)
TTL toDateTime(time) + INTERVAL 30 DAY
SETTINGS index_granularity = 256, non_replicated_deduplication_window = 10000;

-- Rows already stored (a store migrated from an earlier version), copied before the views
-- exist so nothing is copied twice; skipped per item when some are there already, so a
-- migration cut short does not copy again. Migrations run before the process ingests.
INSERT INTO trace_items
SELECT project_id, trace_id, 'span', span_id, start_time, ingested_at,
       formatRowNoNewline('JSONEachRow', * EXCEPT (project_id, trace_id, span_id, start_time, ingested_at))
FROM spans
WHERE (SELECT count() FROM trace_items WHERE item = 'span') = 0;

INSERT INTO trace_items
SELECT project_id, trace_id, 'feedback', id, created_at, ingested_at,
       formatRowNoNewline('JSONEachRow', * EXCEPT (project_id, trace_id, id, created_at, ingested_at))
FROM feedback
WHERE (SELECT count() FROM trace_items WHERE item = 'feedback') = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS trace_items_spans_mv TO trace_items AS
SELECT project_id, trace_id, 'span' AS item, span_id AS item_id, start_time AS time, ingested_at AS version,
       formatRowNoNewline('JSONEachRow', * EXCEPT (project_id, trace_id, span_id, start_time, ingested_at)) AS doc
FROM spans;

CREATE MATERIALIZED VIEW IF NOT EXISTS trace_items_feedback_mv TO trace_items AS
SELECT project_id, trace_id, 'feedback' AS item, id AS item_id, created_at AS time, ingested_at AS version,
       formatRowNoNewline('JSONEachRow', * EXCEPT (project_id, trace_id, id, created_at, ingested_at)) AS doc
FROM feedback;

-- trace_index only served the trace lookup; one view fewer on every insert.
DROP VIEW IF EXISTS trace_index_mv;
DROP TABLE IF EXISTS trace_index;
