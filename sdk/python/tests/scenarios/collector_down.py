"""An app whose collector is down when it runs: it must see no error; its spans go out once the
collector is up. Reads SPANLENS_ENDPOINT / SPANLENS_API_KEY and LLM_URL (the fake LLM server);
prints one JSON line after the calls (with wrapped and plain call times while it is down), waits for a line on stdin (the collector is up), flushes,
and prints a second JSON line."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

import openai
import spanlens

spanlens.init(service_name="down-up")
client = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{os.environ['LLM_URL']}/v1", max_retries=0))

with spanlens.observe("while-down") as step:
    r = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
# While the exporter retries against the down collector (its first export is due after 1 s), the
# app's calls are not slowed: wrapped and plain calls, interleaved, in this run.
time.sleep(1.5)
plain = openai.OpenAI(api_key="sk", base_url=f"{os.environ['LLM_URL']}/v1", max_retries=0)
times: dict[str, list[float]] = {"wrapped": [], "plain": []}
for _ in range(20):
    for name, c in (("wrapped", client), ("plain", plain)):
        t = time.perf_counter()
        c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
        times[name].append((time.perf_counter() - t) * 1000)
medians = {name: statistics.median(x) for name, x in times.items()}
feedback_while_down = spanlens.feedback(step.trace_id, "helpful", True, attempts=1, timeout=2)
print(
    json.dumps({"trace_id": step.trace_id, "answer": r.choices[0].message.content, "feedback_while_down": feedback_while_down, "medians_ms": medians}),
    flush=True,
)

sys.stdin.readline()
flushed = spanlens.flush()
s = spanlens.stats()
feedback_after = spanlens.feedback(step.trace_id, "helpful", True)
print(json.dumps({"flushed": flushed, "exported": s.exported, "dropped": s.dropped, "failed": s.failed, "feedback_after": feedback_after}), flush=True)
spanlens.shutdown()
