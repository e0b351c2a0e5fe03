"""Test data of the Lending library feature: valid payloads and rows made through the API.

Each sample satisfies every constraint the spec declares. A factory hands out a new
sample index per entity, so rows made in one test never collide on unique values.
Unique values run out for some entities after a few rows per user: as the parent of
another row, such an entity's rows are made while they last, then reused.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from httpx import AsyncClient

AUTHOR_SAMPLES: list[dict[str, Any]] = [
    {"name": "name-0", "born_on": "2030-01-01", "homepage": "https://example.com/homepage-0"},
    {"name": "name-1", "born_on": "2030-01-02", "homepage": "https://example.com/homepage-1"},
    {"name": "name-2", "born_on": "2030-01-03", "homepage": "https://example.com/homepage-2"},
    {"name": "name-3", "born_on": "2030-01-04", "homepage": "https://example.com/homepage-3"},
    {"name": "name-4", "born_on": "2030-01-05", "homepage": "https://example.com/homepage-4"},
    {"name": "name-5", "born_on": "2030-01-06", "homepage": "https://example.com/homepage-5"},
    {"name": "name-6", "born_on": "2030-01-07", "homepage": "https://example.com/homepage-6"},
    {"name": "name-7", "born_on": "2030-01-08", "homepage": "https://example.com/homepage-7"},
    {"name": "name-8", "born_on": "2030-01-09", "homepage": "https://example.com/homepage-8"},
    {"name": "name-9", "born_on": "2030-01-10", "homepage": "https://example.com/homepage-9"},
    {"name": "name-10", "born_on": "2030-01-11", "homepage": "https://example.com/homepage-10"},
    {"name": "name-11", "born_on": "2030-01-12", "homepage": "https://example.com/homepage-11"},
]

BOOK_SAMPLES: list[dict[str, Any]] = [
    {
        "title": "The Left Hand of Darkness",
        "isbn": "9780441478125",
        "catalog_id": "6aeeadc6-2ceb-5129-854e-0f66d0304b81",
        "word_count": 1,
        "weight_kg": 1.5,
        "format": "hardcover",
        "subjects": {"name": "subjects", "index": 0},
    },
    {
        "title": "title-0",
        "isbn": "9780000000000",
        "catalog_id": "d514384f-4b83-5b3f-94c5-69c86ee5482e",
        "word_count": 2,
        "weight_kg": 1.51,
        "format": "paperback",
        "subjects": {"name": "subjects", "index": 1},
    },
    {
        "title": "title-1",
        "isbn": "9790000000000",
        "catalog_id": "4801b478-f77d-506f-99e2-293afdca6c37",
        "word_count": 3,
        "weight_kg": 1.52,
        "format": "ebook",
        "subjects": {"name": "subjects", "index": 2},
    },
    {
        "title": "title-2",
        "isbn": "9781000000000",
        "catalog_id": "3c23285f-2abf-5559-a3c2-3bb8354196f4",
        "word_count": 4,
        "weight_kg": 1.53,
        "format": "audiobook",
        "subjects": {"name": "subjects", "index": 3},
    },
    {
        "title": "title-3",
        "isbn": "9791000000000",
        "catalog_id": "e097886a-e6e1-52ea-96f4-4eca048bcf0a",
        "word_count": 5,
        "weight_kg": 1.54,
        "format": "hardcover",
        "subjects": {"name": "subjects", "index": 4},
    },
    {
        "title": "title-4",
        "isbn": "9782000000000",
        "catalog_id": "d04d7986-c292-5b9b-b230-25e048338bbc",
        "word_count": 6,
        "weight_kg": 1.55,
        "format": "paperback",
        "subjects": {"name": "subjects", "index": 5},
    },
    {
        "title": "title-5",
        "isbn": "9792000000000",
        "catalog_id": "7ac66dc4-2139-517d-a476-69b1d68bc045",
        "word_count": 7,
        "weight_kg": 1.56,
        "format": "ebook",
        "subjects": {"name": "subjects", "index": 6},
    },
    {
        "title": "title-6",
        "isbn": "9783000000000",
        "catalog_id": "029bae46-c4ae-56bd-88ee-a4b854a52842",
        "word_count": 8,
        "weight_kg": 1.57,
        "format": "audiobook",
        "subjects": {"name": "subjects", "index": 7},
    },
    {
        "title": "title-7",
        "isbn": "9793000000000",
        "catalog_id": "26a6a7d6-cb8c-52dc-9d6e-82ffc9396c85",
        "word_count": 9,
        "weight_kg": 1.58,
        "format": "hardcover",
        "subjects": {"name": "subjects", "index": 8},
    },
    {
        "title": "title-8",
        "isbn": "9784000000000",
        "catalog_id": "196e7657-603b-5cf7-a737-2cbce5712107",
        "word_count": 10,
        "weight_kg": 1.59,
        "format": "paperback",
        "subjects": {"name": "subjects", "index": 9},
    },
    {
        "title": "title-9",
        "isbn": "9794000000000",
        "catalog_id": "16b07d74-cbb9-52a5-9913-7f8a4dced317",
        "word_count": 11,
        "weight_kg": 1.6,
        "format": "ebook",
        "subjects": {"name": "subjects", "index": 10},
    },
    {
        "title": "title-10",
        "isbn": "9785000000000",
        "catalog_id": "a8b0b881-304d-59f7-a156-a939167c18fd",
        "word_count": 12,
        "weight_kg": 1.61,
        "format": "audiobook",
        "subjects": {"name": "subjects", "index": 11},
    },
]

LOAN_SAMPLES: list[dict[str, Any]] = [
    {"due_on": "2030-01-01", "returned_at": "2030-01-01T09:00:00Z", "locker_pin": "0000"},
    {"due_on": "2030-01-02", "returned_at": "2030-01-02T09:00:00Z", "locker_pin": "1000"},
    {"due_on": "2030-01-03", "returned_at": "2030-01-03T09:00:00Z", "locker_pin": "2000"},
    {"due_on": "2030-01-04", "returned_at": "2030-01-04T09:00:00Z", "locker_pin": "3000"},
    {"due_on": "2030-01-05", "returned_at": "2030-01-05T09:00:00Z", "locker_pin": "4000"},
    {"due_on": "2030-01-06", "returned_at": "2030-01-06T09:00:00Z", "locker_pin": "5000"},
    {"due_on": "2030-01-07", "returned_at": "2030-01-07T09:00:00Z", "locker_pin": "6000"},
    {"due_on": "2030-01-08", "returned_at": "2030-01-08T09:00:00Z", "locker_pin": "7000"},
    {"due_on": "2030-01-09", "returned_at": "2030-01-09T09:00:00Z", "locker_pin": "8000"},
    {"due_on": "2030-01-10", "returned_at": "2030-01-10T09:00:00Z", "locker_pin": "9000"},
    {"due_on": "2030-01-11", "returned_at": "2030-01-11T09:00:00Z", "locker_pin": "0100"},
    {"due_on": "2030-01-12", "returned_at": "2030-01-12T09:00:00Z", "locker_pin": "1100"},
]

REVIEW_SAMPLES: list[dict[str, Any]] = [
    {"stars": 1, "body": "body-0"},
    {"stars": 2, "body": "body-1"},
    {"stars": 3, "body": "body-2"},
    {"stars": 4, "body": "body-3"},
    {"stars": 5, "body": "body-4"},
    {"stars": 1, "body": "body-5"},
    {"stars": 2, "body": "body-6"},
    {"stars": 3, "body": "body-7"},
    {"stars": 4, "body": "body-8"},
    {"stars": 5, "body": "body-9"},
    {"stars": 1, "body": "body-10"},
    {"stars": 2, "body": "body-11"},
]


@dataclass
class LibraryFactory:
    client: AsyncClient
    headers: dict[str, str]
    counters: dict[str, int] = field(default_factory=dict)
    made: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = field(default_factory=dict)

    def as_user(self, headers: dict[str, str]) -> "LibraryFactory":
        """The same factory acting as another user (sample indexes stay shared)."""
        return replace(self, headers=headers)

    def _next(self, entity: str, samples: list[dict[str, Any]]) -> dict[str, Any]:
        index = self.counters.get(entity, 0)
        self.counters[entity] = index + 1
        return dict(samples[index % len(samples)])

    async def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=payload, headers=self.headers)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def _parent(
        self, entity: str, limit: int, create: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        """A parent for a new row: a new one while `limit` rows leave unique values free,
        then one this user made (round the ones made)."""
        mine = [row for who, row in self.made.get(entity, []) if who == self.headers]
        if self.counters.get(entity, 0) < limit or not mine:
            return await create()
        turn = self.counters.get(f"{entity} reused", 0)
        self.counters[f"{entity} reused"] = turn + 1
        return mine[turn % len(mine)]

    async def author_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new author."""
        payload = self._next("Author", AUTHOR_SAMPLES)
        payload.update(overrides)
        return payload

    async def create_author(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/authors", await self.author_payload(**overrides))

    async def book_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new book (its parents made first)."""
        payload = self._next("Book", BOOK_SAMPLES)
        if "author_id" not in overrides:
            payload["author_id"] = (await self.create_author())["id"]
        payload.update(overrides)
        return payload

    async def create_book(self, **overrides: Any) -> dict[str, Any]:
        row = await self._post("/books", await self.book_payload(**overrides))
        self.made.setdefault("Book", []).append((self.headers, row))
        return row

    async def loan_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new loan (its parents made first)."""
        payload = self._next("Loan", LOAN_SAMPLES)
        if "book_id" not in overrides:
            parent = await self._parent("Book", 12, self.create_book)
            payload["book_id"] = parent["id"]
        payload.update(overrides)
        return payload

    async def create_loan(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/loans", await self.loan_payload(**overrides))

    async def review_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new review (its parents made first)."""
        payload = self._next("Review", REVIEW_SAMPLES)
        if "book_id" not in overrides:
            parent = await self._parent("Book", 12, self.create_book)
            payload["book_id"] = parent["id"]
        payload.update(overrides)
        return payload

    async def create_review(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/reviews", await self.review_payload(**overrides))
