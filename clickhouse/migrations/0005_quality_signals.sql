-- Quality signals of every LLM span, computed by ClickHouse as each row is inserted
-- (MATERIALIZED), so the one-process and the Kafka paths agree and the record format stays
-- spans.v1. Filterable, charted through the rollups, and alertable.
--
-- The refusal list is matched case-insensitively against the first 400 characters of the
-- answer, curly apostrophes folded to straight ones. To change it, add a migration with
-- ALTER TABLE spans MODIFY COLUMN q_refusal ... (rows already stored keep their value).

-- The answer's text: the content of each message when output is a JSON message array.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS output_text String ALIAS
    if(startsWith(output, '[{'), arrayStringConcat(arrayMap(m -> JSONExtractString(m, 'content'), JSONExtractArrayRaw(output)), '\n'), output);

-- An LLM call that succeeded but answered nothing (no text and no tool call).
ALTER TABLE spans ADD COLUMN IF NOT EXISTS q_empty Bool MATERIALIZED
    kind = 'llm' AND status != 'error' AND trimBoth(output_text) = '' AND position(output, '"toolCalls"') = 0;

ALTER TABLE spans ADD COLUMN IF NOT EXISTS q_refusal Bool MATERIALIZED
    kind = 'llm' AND multiMatchAny(replaceAll(lower(substring(output_text, 1, 400)), '’', ''''), [
        'i can''t help with', 'i cannot help with', 'i can''t assist', 'i cannot assist', 'i can''t provide',
        'i cannot provide', 'i''m unable to', 'i am unable to', 'i''m not able to', 'i am not able to',
        'i won''t be able to', 'i must decline', 'i cannot comply', 'i can''t comply', 'as an ai language model',
        'i''m sorry, but i can''t', 'i''m sorry, but i cannot', 'i apologize, but i can''t', 'i apologize, but i cannot',
        'against my guidelines', 'violates my guidelines', 'i''m not comfortable',
        'no puedo ayudar', 'lo siento, pero no puedo', 'je ne peux pas vous aider', 'désolé, mais je ne peux pas',
        'ich kann dabei nicht helfen', 'ich kann ihnen dabei nicht helfen', 'es tut mir leid, aber ich kann',
        'não posso ajudar', 'desculpe, mas não posso', 'non posso aiutarti', 'mi dispiace, ma non posso'
    ]);

-- Cut off by the token limit.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS q_truncated Bool MATERIALIZED
    kind = 'llm' AND lower(finish_reason) IN ('length', 'max_tokens', 'max_output_tokens', 'model_length');

-- JSON was asked for (GenAI output type, OpenAI response_format, OpenInference invocation
-- parameters, Vercel AI SDK object generation) and the answer does not parse.
ALTER TABLE spans ADD COLUMN IF NOT EXISTS q_invalid_json Bool MATERIALIZED
    kind = 'llm' AND status != 'error' AND position(output, '"toolCalls"') = 0 AND (
        attributes['gen_ai.output.type'] = 'json'
        OR attributes['gen_ai.openai.request.response_format'] IN ('json_object', 'json_schema')
        OR position(attributes['llm.invocation_parameters'], 'json_') > 0
        OR attributes['ai.schema'] != '' OR attributes['ai.response.object'] != ''
    ) AND NOT isValidJSON(trimBoth(replaceRegexpAll(output_text, '^```(?:json)?\\s*|\\s*```$', '')));

ALTER TABLE spans_1m ADD COLUMN IF NOT EXISTS q_empty SimpleAggregateFunction(sum, UInt64);
ALTER TABLE spans_1m ADD COLUMN IF NOT EXISTS q_refusal SimpleAggregateFunction(sum, UInt64);
ALTER TABLE spans_1m ADD COLUMN IF NOT EXISTS q_truncated SimpleAggregateFunction(sum, UInt64);
ALTER TABLE spans_1m ADD COLUMN IF NOT EXISTS q_invalid_json SimpleAggregateFunction(sum, UInt64);

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
    quantilesTDigestStateIf(0.5, 0.95, 0.99)(ifNull(ttft_ms, 0), ttft_ms IS NOT NULL) AS ttft_ms_q,
    countIf(q_empty) AS q_empty,
    countIf(q_refusal) AS q_refusal,
    countIf(q_truncated) AS q_truncated,
    countIf(q_invalid_json) AS q_invalid_json
FROM spans
GROUP BY project_id, minute, service, environment, kind, model, provider, is_root;
