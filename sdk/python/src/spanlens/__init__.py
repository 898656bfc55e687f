"""Spanlens SDK: two lines to trace an LLM app.

import spanlens
spanlens.init(api_key="sl_...")
client = spanlens.wrap_openai(OpenAI())
"""

from ._anthropic import wrap_anthropic
from ._config import Config
from ._context import ContextScope, SpanlensContext, context, current_context, set_context
from ._feedback import afeedback, current_span_id, current_trace_id, feedback
from ._observe import ObservedKind, ObservedSpan, observe
from ._openai import wrap_openai
from ._processor import ProcessorStats, SpanlensSampler, SpanlensSpanProcessor
from ._sdk import config, flush, init, shutdown, spanlens_processor, stats
from ._version import SDK_VERSION

__version__ = SDK_VERSION

__all__ = [
    "Config",
    "ContextScope",
    "ObservedKind",
    "ObservedSpan",
    "ProcessorStats",
    "SpanlensContext",
    "SpanlensSampler",
    "SpanlensSpanProcessor",
    "__version__",
    "afeedback",
    "config",
    "context",
    "current_context",
    "current_span_id",
    "current_trace_id",
    "feedback",
    "flush",
    "init",
    "observe",
    "set_context",
    "shutdown",
    "spanlens_processor",
    "stats",
    "wrap_anthropic",
    "wrap_openai",
]
