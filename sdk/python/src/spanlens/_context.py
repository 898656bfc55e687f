"""Who and what a piece of work is about, stamped on every span started beneath it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from types import TracebackType

MetadataValue = str | int | float | bool


@dataclass(frozen=True)
class SpanlensContext:
    user_id: str | None = None
    session_id: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)


_current: ContextVar[SpanlensContext | None] = ContextVar("spanlens_context", default=None)


def _merge(
    base: SpanlensContext | None,
    user_id: str | None,
    session_id: str | None,
    tags: Iterable[str] | None,
    metadata: Mapping[str, MetadataValue] | None,
) -> SpanlensContext:
    base = base or SpanlensContext()
    merged_tags = base.tags
    if tags is not None:
        if isinstance(tags, str):
            tags = [tags]
        seen = dict.fromkeys(base.tags)
        for t in tags:
            seen.setdefault(str(t))
        merged_tags = tuple(seen)
    merged_meta: Mapping[str, MetadataValue] = base.metadata
    if metadata:
        merged_meta = {**base.metadata, **{str(k): v for k, v in metadata.items()}}
    return SpanlensContext(
        user_id=str(user_id) if user_id is not None else base.user_id,
        session_id=str(session_id) if session_id is not None else base.session_id,
        tags=merged_tags,
        metadata=merged_meta,
    )


class ContextScope:
    """What :func:`spanlens.context` returns: a context manager, sync (``with``) or async (``async with``)."""

    def __init__(
        self,
        user_id: str | None,
        session_id: str | None,
        tags: Iterable[str] | None,
        metadata: Mapping[str, MetadataValue] | None,
    ) -> None:
        self._values = (user_id, session_id, list(tags) if tags is not None and not isinstance(tags, str) else tags, metadata)
        self._tokens: list[Token[SpanlensContext | None]] = []

    def __enter__(self) -> SpanlensContext:
        merged = _merge(_current.get(), *self._values)
        self._tokens.append(_current.set(merged))
        return merged

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tokens:
            token = self._tokens.pop()
            try:
                _current.reset(token)
            except ValueError:  # left in another context than entered: restore what was there
                _current.set(token.old_value if token.old_value is not Token.MISSING else None)

    async def __aenter__(self) -> SpanlensContext:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def context(
    user_id: str | None = None,
    session_id: str | None = None,
    tags: Iterable[str] | None = None,
    metadata: Mapping[str, MetadataValue] | None = None,
) -> ContextScope:
    """Adds user, session, tags and metadata to every span started inside the block.

    ``with spanlens.context(user_id="u-1", session_id="s-1"):`` (or ``async with``). Scopes
    nest: inner values win, tags and metadata add up. Each thread and asyncio task has its
    own (contextvars), so concurrent requests keep theirs.
    """
    return ContextScope(user_id, session_id, tags, metadata)


def set_context(
    user_id: str | None = None,
    session_id: str | None = None,
    tags: Iterable[str] | None = None,
    metadata: Mapping[str, MetadataValue] | None = None,
) -> None:
    """Adds values to the context of the current thread or asyncio task from now on.

    Call it at the top of a request handler; other tasks and threads are not affected.
    """
    _current.set(_merge(_current.get(), user_id, session_id, tags, metadata))


def current_context() -> SpanlensContext | None:
    """The Spanlens context in force here, or None."""
    return _current.get()


def context_attributes(c: SpanlensContext) -> dict[str, str | bool | int | float | list[str]]:
    """The span attributes for a context, in the names the Spanlens collector reads."""
    attrs: dict[str, str | bool | int | float | list[str]] = {}
    if c.user_id:
        attrs["user.id"] = c.user_id
    if c.session_id:
        attrs["session.id"] = c.session_id
    if c.tags:
        attrs["spanlens.tags"] = list(c.tags)
    for k, v in c.metadata.items():
        if isinstance(v, (str, bool, int, float)):
            attrs[f"spanlens.metadata.{k}"] = v
        elif v is not None:
            attrs[f"spanlens.metadata.{k}"] = str(v)
    return attrs
