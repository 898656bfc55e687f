-- Hour totals for the unfiltered overview: on 10 M spans its time went to merging quantile
-- states, ~9,000 per 7 days even in hour rows that keep every dimension of spans_1m (115 ms
-- a statement), ~700 in hour rows that keep only kind, root and LLM-or-not (19 ms).
-- Filters and group-bys on model, provider, service or environment read spans_1m.
-- Fed by a view on spans_1m, not on spans: each insert merges the minute rollup's few rows
-- rather than aggregating the raw block a second time. The same dedup window as every
-- other view target, so a retried batch with its token is counted once here too.
CREATE TABLE IF NOT EXISTS spans_1h
(
    project_id     LowCardinality(String),
    hour           DateTime('UTC'),
    kind           LowCardinality(String),
    is_root        Bool,
    -- model != '': the metrics routes' default scope (LLM calls).
    llm            Bool,
    spans          SimpleAggregateFunction(sum, UInt64),
    errors         SimpleAggregateFunction(sum, UInt64),
    input_tokens   SimpleAggregateFunction(sum, UInt64),
    output_tokens  SimpleAggregateFunction(sum, UInt64),
    total_tokens   SimpleAggregateFunction(sum, UInt64),
    cost_usd       SimpleAggregateFunction(sum, Float64),
    duration_ms_sum SimpleAggregateFunction(sum, Float64),
    duration_ms_q  AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    ttft_ms_q      AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64),
    q_empty        SimpleAggregateFunction(sum, UInt64),
    q_refusal      SimpleAggregateFunction(sum, UInt64),
    q_truncated    SimpleAggregateFunction(sum, UInt64),
    q_invalid_json SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, kind, is_root, llm)
TTL hour + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- Rows already in the minute rollups (a store migrated from an earlier version), copied
-- before the view exists so nothing is counted twice; skipped when the table has rows, so
-- a migration cut short after this step does not copy again. Migrations run before the
-- process ingests.
INSERT INTO spans_1h
SELECT project_id, toStartOfHour(minute) AS hour, kind, is_root, model != '' AS llm,
    sum(spans), sum(errors), sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cost_usd), sum(duration_ms_sum),
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(duration_ms_q), quantilesTDigestMergeState(0.5, 0.95, 0.99)(ttft_ms_q),
    sum(q_empty), sum(q_refusal), sum(q_truncated), sum(q_invalid_json)
FROM spans_1m
WHERE (SELECT count() FROM spans_1h) = 0
GROUP BY project_id, hour, kind, is_root, llm;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_1h_mv TO spans_1h AS
SELECT
    project_id,
    toStartOfHour(minute) AS hour,
    kind, is_root, model != '' AS llm,
    sum(spans) AS spans,
    sum(errors) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(total_tokens) AS total_tokens,
    sum(cost_usd) AS cost_usd,
    sum(duration_ms_sum) AS duration_ms_sum,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(duration_ms_q) AS duration_ms_q,
    quantilesTDigestMergeState(0.5, 0.95, 0.99)(ttft_ms_q) AS ttft_ms_q,
    sum(q_empty) AS q_empty,
    sum(q_refusal) AS q_refusal,
    sum(q_truncated) AS q_truncated,
    sum(q_invalid_json) AS q_invalid_json
FROM spans_1m
GROUP BY project_id, hour, kind, is_root, llm;
