-- Time to first token in the minute rollups, so wide-range TTFT charts need no raw scan.
-- The view is recreated with the new column; DROP ... IF EXISTS then CREATE ... IF NOT
-- EXISTS keeps a migration that was cut short safe to run again.
ALTER TABLE spans_1m ADD COLUMN IF NOT EXISTS ttft_ms_q AggregateFunction(quantilesTDigest(0.5, 0.95, 0.99), Float64);

DROP VIEW IF EXISTS spans_1m_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS spans_1m_mv TO spans_1m AS
SELECT
    project_id,
    toStartOfMinute(start_time) AS minute,
    service, environment, kind, model, provider,
    parent_span_id = '' AS is_root,
    count() AS spans,
    countIf(status = 'error') AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(total_tokens) AS total_tokens,
    sum(cost_usd) AS cost_usd,
    sum(duration_ns / 1e6) AS duration_ms_sum,
    quantilesTDigestState(0.5, 0.95, 0.99)(duration_ns / 1e6) AS duration_ms_q,
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(ifNull(ttft_ms, 0), ttft_ms IS NOT NULL) AS ttft_ms_q
FROM spans
GROUP BY project_id, minute, service, environment, kind, model, provider, is_root;
