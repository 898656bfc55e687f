"""Turning app values (prompts, arguments, results) into recorded text."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any


def _default(o: Any) -> Any:
    dump = getattr(o, "model_dump", None)  # pydantic v2 (openai, anthropic objects)
    if callable(dump):
        try:
            return dump(mode="json")
        except Exception:
            pass
    to_dict = getattr(o, "dict", None)  # pydantic v1
    if callable(to_dict) and not isinstance(o, type):
        try:
            return to_dict()
        except Exception:
            pass
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, (set, frozenset)):
        return list(o)
    if isinstance(o, (bytes, bytearray, memoryview)):
        return f"<{len(o)} bytes>"
    if isinstance(o, (datetime.datetime, datetime.date, datetime.time)):
        return o.isoformat()
    if isinstance(o, enum.Enum):
        return o.value
    if hasattr(o, "__iter__") and hasattr(o, "__len__") and not isinstance(o, (str, dict)):
        try:
            return list(o)
        except Exception:
            pass
    return repr(o)


def to_json(value: Any) -> str:
    """Compact JSON (as JavaScript's JSON.stringify writes it) of any value; never raises."""
    try:
        return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))
    except Exception:  # cycles and the like: still record something
        try:
            return repr(value)
        except Exception:
            return f"<{type(value).__name__}>"


def content_text(value: Any, max_length: int) -> str:
    """The text itself for a string, else its JSON; capped at ``max_length`` characters."""
    text = value if isinstance(value, str) else to_json(value)
    if len(text) > max_length:
        return f"{text[:max_length]}…[truncated {len(text) - max_length} chars]"
    return text
