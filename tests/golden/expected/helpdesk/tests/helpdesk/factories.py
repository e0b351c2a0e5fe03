"""Test data of the Help desk feature: valid payloads and rows made through the API.

Each sample satisfies every constraint the spec declares. A factory hands out a new
sample index per entity, so rows made in one test never collide on unique values.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from httpx import AsyncClient

TICKET_SAMPLES: list[dict[str, Any]] = [
    {
        "title": "title-0",
        "body": "body-0",
        "priority": 1,
        "status": "open",
        "votes": 1,
        "opened_on": "2030-01-01",
        "due_on": "2030-01-01",
        "estimate_hours": None,
        "internal_note": "internal_note-0",
    },
    {
        "title": "title-1",
        "body": "body-1",
        "priority": 2,
        "status": "in_progress",
        "votes": 2,
        "opened_on": "2030-01-02",
        "due_on": "2030-01-02",
        "estimate_hours": None,
        "internal_note": "internal_note-1",
    },
    {
        "title": "title-2",
        "body": "body-2",
        "priority": 3,
        "status": "resolved",
        "votes": 3,
        "opened_on": "2030-01-03",
        "due_on": "2030-01-03",
        "estimate_hours": None,
        "internal_note": "internal_note-2",
    },
    {
        "title": "title-3",
        "body": "body-3",
        "priority": 4,
        "status": "closed",
        "votes": 4,
        "opened_on": "2030-01-04",
        "due_on": "2030-01-04",
        "estimate_hours": None,
        "internal_note": "internal_note-3",
    },
    {
        "title": "title-4",
        "body": "body-4",
        "priority": 5,
        "status": "open",
        "votes": 5,
        "opened_on": "2030-01-05",
        "due_on": "2030-01-05",
        "estimate_hours": None,
        "internal_note": "internal_note-4",
    },
    {
        "title": "title-5",
        "body": "body-5",
        "priority": 1,
        "status": "in_progress",
        "votes": 6,
        "opened_on": "2030-01-06",
        "due_on": "2030-01-06",
        "estimate_hours": None,
        "internal_note": "internal_note-5",
    },
    {
        "title": "title-6",
        "body": "body-6",
        "priority": 2,
        "status": "resolved",
        "votes": 7,
        "opened_on": "2030-01-07",
        "due_on": "2030-01-07",
        "estimate_hours": None,
        "internal_note": "internal_note-6",
    },
    {
        "title": "title-7",
        "body": "body-7",
        "priority": 3,
        "status": "closed",
        "votes": 8,
        "opened_on": "2030-01-08",
        "due_on": "2030-01-08",
        "estimate_hours": None,
        "internal_note": "internal_note-7",
    },
    {
        "title": "title-8",
        "body": "body-8",
        "priority": 4,
        "status": "open",
        "votes": 9,
        "opened_on": "2030-01-09",
        "due_on": "2030-01-09",
        "estimate_hours": None,
        "internal_note": "internal_note-8",
    },
    {
        "title": "title-9",
        "body": "body-9",
        "priority": 5,
        "status": "in_progress",
        "votes": 10,
        "opened_on": "2030-01-10",
        "due_on": "2030-01-10",
        "estimate_hours": None,
        "internal_note": "internal_note-9",
    },
    {
        "title": "title-10",
        "body": "body-10",
        "priority": 1,
        "status": "resolved",
        "votes": 11,
        "opened_on": "2030-01-11",
        "due_on": "2030-01-11",
        "estimate_hours": None,
        "internal_note": "internal_note-10",
    },
    {
        "title": "title-11",
        "body": "body-11",
        "priority": 2,
        "status": "closed",
        "votes": 12,
        "opened_on": "2030-01-12",
        "due_on": "2030-01-12",
        "estimate_hours": None,
        "internal_note": "internal_note-11",
    },
]

CANNEDREPLY_SAMPLES: list[dict[str, Any]] = [
    {"name": "name-0", "text": "text-0"},
    {"name": "name-1", "text": "text-1"},
    {"name": "name-2", "text": "text-2"},
    {"name": "name-3", "text": "text-3"},
    {"name": "name-4", "text": "text-4"},
    {"name": "name-5", "text": "text-5"},
    {"name": "name-6", "text": "text-6"},
    {"name": "name-7", "text": "text-7"},
    {"name": "name-8", "text": "text-8"},
    {"name": "name-9", "text": "text-9"},
    {"name": "name-10", "text": "text-10"},
    {"name": "name-11", "text": "text-11"},
]

COMMENT_SAMPLES: list[dict[str, Any]] = [
    {"body": "body-0"},
    {"body": "body-1"},
    {"body": "body-2"},
    {"body": "body-3"},
    {"body": "body-4"},
    {"body": "body-5"},
    {"body": "body-6"},
    {"body": "body-7"},
    {"body": "body-8"},
    {"body": "body-9"},
    {"body": "body-10"},
    {"body": "body-11"},
]

LABEL_SAMPLES: list[dict[str, Any]] = [
    {"name": "name-0"},
    {"name": "name-1"},
    {"name": "name-2"},
    {"name": "name-3"},
    {"name": "name-4"},
    {"name": "name-5"},
    {"name": "name-6"},
    {"name": "name-7"},
    {"name": "name-8"},
    {"name": "name-9"},
    {"name": "name-10"},
    {"name": "name-11"},
]


@dataclass
class HelpdeskFactory:
    client: AsyncClient
    headers: dict[str, str]
    counters: dict[str, int] = field(default_factory=dict)

    def as_user(self, headers: dict[str, str]) -> "HelpdeskFactory":
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

    async def ticket_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new ticket."""
        payload = self._next("Ticket", TICKET_SAMPLES)
        payload.update(overrides)
        return payload

    async def create_ticket(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/tickets", await self.ticket_payload(**overrides))

    async def canned_reply_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new canned reply (its parents made first)."""
        payload = self._next("CannedReply", CANNEDREPLY_SAMPLES)
        if "ticket_id" not in overrides:
            payload["ticket_id"] = (await self.create_ticket())["id"]
        payload.update(overrides)
        return payload

    async def create_canned_reply(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/canned-replies", await self.canned_reply_payload(**overrides))

    async def comment_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new comment (its parents made first)."""
        payload = self._next("Comment", COMMENT_SAMPLES)
        if "ticket_id" not in overrides:
            payload["ticket_id"] = (await self.create_ticket())["id"]
        payload.update(overrides)
        return payload

    async def create_comment(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/comments", await self.comment_payload(**overrides))

    async def label_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new label."""
        payload = self._next("Label", LABEL_SAMPLES)
        payload.update(overrides)
        return payload

    async def create_label(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/labels", await self.label_payload(**overrides))
