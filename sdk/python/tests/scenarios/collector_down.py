"""An app whose collector is down when it runs: it must see no error; its spans go out once the
collector is up. Reads SPANLENS_ENDPOINT / SPANLENS_API_KEY and LLM_URL (the fake LLM server);
prints one JSON line after the call, waits for a line on stdin (the collector is up), flushes,
and prints a second JSON line."""

from __future__ import annotations

import json
import os
import sys

import openai

import spanlens

spanlens.init(service_name="down-up")
client = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{os.environ['LLM_URL']}/v1", max_retries=0))

with spanlens.observe("while-down") as step:
    r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
feedback_while_down = spanlens.feedback(step.trace_id, "helpful", True, attempts=1, timeout=2)
print(json.dumps({"trace_id": step.trace_id, "answer": r.choices[0].message.content, "feedback_while_down": feedback_while_down}), flush=True)

sys.stdin.readline()
flushed = spanlens.flush()
s = spanlens.stats()
feedback_after = spanlens.feedback(step.trace_id, "helpful", True)
print(json.dumps({"flushed": flushed, "exported": s.exported, "dropped": s.dropped, "failed": s.failed, "feedback_after": feedback_after}), flush=True)
spanlens.shutdown()
