"""The app package tests run with the built wheel installed in a fresh virtualenv: a plain, a
streamed and an async OpenAI call and an Anthropic call under @observe, then feedback. Reads
SPANLENS_ENDPOINT / SPANLENS_API_KEY and LLM_URL; prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import os

import anthropic
import openai
import spanlens

spanlens.init(service_name="packaged-py")
llm = os.environ["LLM_URL"]
oai = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{llm}/v1", max_retries=0))
aoai = spanlens.wrap_openai(openai.AsyncOpenAI(api_key="sk", base_url=f"{llm}/v1", max_retries=0))
claude = spanlens.wrap_anthropic(anthropic.Anthropic(api_key="sk-ant", base_url=llm, max_retries=0))
question = [{"role": "user", "content": "Capital of France?"}]


@spanlens.observe("answer", kind="agent")
async def answer() -> dict[str, object]:
    plain = oai.chat.completions.create(model="gpt-4o-mini", messages=question)
    stream = oai.chat.completions.create(model="gpt-4o-mini", messages=question, stream=True, stream_options={"include_usage": True})
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    awaited = await aoai.chat.completions.create(model="gpt-4o-mini", messages=question)
    message = claude.messages.create(model="claude-3-5-sonnet", max_tokens=100, messages=question)
    return {
        "texts": [plain.choices[0].message.content, streamed, awaited.choices[0].message.content, message.content[0].text],
        "trace_id": spanlens.current_trace_id(),
    }


out = asyncio.run(answer())
out["feedback"] = spanlens.feedback(str(out["trace_id"]), "helpful", True)
spanlens.shutdown()
print(json.dumps({**out, "module": spanlens.__file__, "version": spanlens.__version__}), flush=True)
