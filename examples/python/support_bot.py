"""A small support bot traced with the Spanlens Python SDK, against a running Spanlens (`npm start`).

    pip install -e sdk/python openai
    SPANLENS_API_KEY=sl_... OPENAI_API_KEY=sk-... python examples/python/support_bot.py "Where is my order?"

OPENAI_BASE_URL points it at any OpenAI-compatible server (a local model, a proxy);
SPANLENS_ENDPOINT at a Spanlens that is not on http://127.0.0.1:4318.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from openai import OpenAI

import spanlens

spanlens.init(service_name="support-bot", environment="dev", release="0.1.0")
openai = spanlens.wrap_openai(OpenAI())  # OPENAI_API_KEY and OPENAI_BASE_URL come from the environment

FAQ = [
    "Orders ship within 2 business days; tracking links arrive by email.",
    "Refunds are issued to the original payment method within 5 days.",
]


@spanlens.observe("retrieve-faq", kind="retriever")
def retrieve(question: str) -> list[str]:
    words = re.split(r"\W+", question.lower())
    return [entry for entry in FAQ if any(len(w) > 3 and w in entry.lower() for w in words)]


@spanlens.observe("answer", kind="agent")
def answer(question: str) -> dict[str, Any]:
    context = retrieve(question)
    reply = openai.chat.completions.create(
        model=os.environ.get("MODEL", "gpt-4o-mini"),
        messages=[
            {"role": "system", "content": "Answer briefly using only this context:\n" + ("\n".join(context) or "(none)")},
            {"role": "user", "content": question},
        ],
    )
    return {"text": reply.choices[0].message.content or "", "trace_id": spanlens.current_trace_id()}


def main() -> None:
    question = sys.argv[1] if len(sys.argv) > 1 else "Where is my order?"
    with spanlens.context(user_id="demo-user", session_id=f"cli-{os.getpid()}"):
        result = answer(question)
    print(result["text"])
    # The front end would send this when the user clicks thumbs up.
    if result["trace_id"]:
        spanlens.feedback(result["trace_id"], "helpful", True)
    spanlens.shutdown()
    print(f"trace {result['trace_id']}: see it at http://127.0.0.1:3000/")


if __name__ == "__main__":
    main()
