-- GenAI content sent as OTLP log records (gen_ai.user.message, gen_ai.choice,
-- gen_ai.client.inference.operation.details, ...) is stored beside its span in trace_items as
-- item 'log', written by the writer like any other row and merged into the span when the trace
-- is read. A record may arrive before or after its span, in another request, or on another
-- collector: nothing waits for the other.
ALTER TABLE trace_items MODIFY COLUMN item Enum8('span' = 1, 'feedback' = 2, 'log' = 3);
ALTER TABLE trace_items MODIFY COLUMN version DateTime64(3, 'UTC') DEFAULT now64(3);

-- A span that captured no text but reports output tokens did answer; its content was not
-- recorded (content capture off, or sent as log records). Not an empty answer.
ALTER TABLE spans MODIFY COLUMN q_empty Bool MATERIALIZED
    kind = 'llm' AND status != 'error' AND trimBoth(output_text) = '' AND position(output, '"toolCalls"') = 0
    AND NOT (output = '' AND output_tokens > 0);
