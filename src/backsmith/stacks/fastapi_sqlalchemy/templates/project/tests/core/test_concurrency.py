"""If-Match against a row version: which headers pass, which are a 428 or a 412."""

import pytest

from app.core.concurrency import check_if_match, etag, with_etag
from app.core.errors import PreconditionFailed, PreconditionRequired


def test_the_etag_is_the_quoted_version() -> None:
    assert etag(3) == '"3"'


@pytest.mark.parametrize("header", ['"3"', ' "3" ', '"2", "3"', 'W/"1", "3"'])
def test_the_current_etag_passes(header: str) -> None:
    check_if_match(header, 3)


@pytest.mark.parametrize("header", [None, "", "  ", "*"])
def test_no_etag_is_a_428(header: str | None) -> None:
    with pytest.raises(PreconditionRequired):
        check_if_match(header, 3)


@pytest.mark.parametrize("header", ['"2"', 'W/"3"', "3", '"33"', "garbage"])
def test_a_stale_weak_or_malformed_etag_is_a_412(header: str) -> None:
    with pytest.raises(PreconditionFailed) as raised:
        check_if_match(header, 3)
    assert '"3"' in raised.value.detail


def test_with_etag_documents_the_header_and_keeps_others() -> None:
    responses: dict[int | str, dict[str, object]] = {
        201: {"description": "Created", "headers": {"Location": {"schema": {"type": "string"}}}}
    }
    documented = with_etag(responses, 201)
    assert set(documented[201]["headers"]) == {"Location", "ETag"}
    assert set(with_etag({}, 200)[200]["headers"]) == {"ETag"}
