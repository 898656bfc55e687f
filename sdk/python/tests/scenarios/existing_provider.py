"""An app with its own OpenTelemetry setup: it adds spanlens_processor() to its provider and keeps
its own exporter. Reads SPANLENS_ENDPOINT / SPANLENS_API_KEY and LLM_URL; prints one JSON line."""

from __future__ import annotations

import json
import os

import anthropic
import openai
import spanlens
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

own = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "my-app"}))
provider.add_span_processor(SimpleSpanProcessor(own))
processor = spanlens.spanlens_processor()  # endpoint and key from the environment
provider.add_span_processor(processor)
trace.set_tracer_provider(provider)

llm = os.environ["LLM_URL"]
oai = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{llm}/v1", max_retries=0))
claude = spanlens.wrap_anthropic(anthropic.Anthropic(api_key="sk-ant", base_url=llm, max_retries=0))
tracer = trace.get_tracer("my-app")

with spanlens.context(user_id="u-own"):
    with tracer.start_as_current_span("handler") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        claude.messages.create(model="claude-3-5-sonnet", max_tokens=10, messages=[{"role": "user", "content": "hi"}])

provider.force_flush()
s = processor.stats
print(json.dumps({"trace_id": trace_id, "own": sorted(x.name for x in own.get_finished_spans()), "exported": s.exported, "dropped": s.dropped}), flush=True)
provider.shutdown()
