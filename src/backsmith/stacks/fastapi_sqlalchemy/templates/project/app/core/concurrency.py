"""Optimistic concurrency: ETags from row versions, and the If-Match check of writes.

A versioned row carries a version number that every accepted write increments. Reads send
it as a strong ETag (`"3"`); PATCH and DELETE must send it back in If-Match. Without one
the write is refused with 428, since a client that forgot would overwrite blindly; with a
stale one, 412. The write itself is conditional on the version as well (SQLAlchemy's
`version_id_col`: `UPDATE ... WHERE id = :id AND version = :version`), so a writer that
passed this check but lost the race at the database also gets a 412, never a lost update.
"""

import re
from typing import Any

from app.core.errors import PreconditionFailed, PreconditionRequired

# RFC 9110 entity-tag: an optional weak prefix and a quoted opaque value.
_ENTITY_TAG = re.compile(r'(W/)?"([^"]*)"')

IF_MATCH_DESCRIPTION = (
    "The ETag of the row as you last read it. Required: without it the request is a 428; "
    "when the row has changed since, a 412."
)
_ETAG_HEADER = {
    "ETag": {
        "description": "The row's version as a strong entity tag; send it back in If-Match.",
        "schema": {"type": "string"},
    }
}


def etag(version: int) -> str:
    """The strong ETag of a row version: the version number, quoted."""
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Pass only when If-Match names the row's current ETag (RFC 9110 strong comparison)."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "This row is versioned: send its ETag in If-Match (read the row to get it)."
        )
    if if_match.strip() == "*":
        # `*` matches any version: it would bring back the blind overwrite 428 prevents.
        raise PreconditionRequired("If-Match: * is not accepted here; send the row's ETag.")
    strong = {m.group(2) for m in _ENTITY_TAG.finditer(if_match) if m.group(1) is None}
    if str(version) not in strong:
        raise PreconditionFailed(
            f"The row has changed since you read it; its ETag is now {etag(version)}. "
            "Read it again, then retry."
        )


def with_etag(responses: dict[int | str, dict[str, Any]], status: int) -> dict[int | str, Any]:
    """`responses=` with the ETag header documented on the route's success status."""
    entry = dict(responses.get(status, {"description": "The row, with its ETag."}))
    entry["headers"] = {**entry.get("headers", {}), **_ETAG_HEADER}
    return {**responses, status: entry}
