"""Test data of the Clinic appointments feature: valid payloads and rows made through the API.

Each sample satisfies every constraint the spec declares. A factory hands out a new
sample index per entity, so rows made in one test never collide on unique values.
Unique values run out for some entities after a few rows per user: as the parent of
another row, such an entity's rows are made while they last, then reused.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from httpx import AsyncClient

DOCTOR_SAMPLES: list[dict[str, Any]] = [
    {
        "name": "name-0",
        "specialty": "general",
        "license_no": "AA-000000",
        "fee": "12.50",
        "bio": "bio-0",
        "email": "email-0@example.com",
        "website": "https://example.com/website-0",
        "opens_at": "09:00:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-1",
        "specialty": "cardiology",
        "license_no": "BA-000000",
        "fee": "12.51",
        "bio": "bio-1",
        "email": "email-1@example.com",
        "website": "https://example.com/website-1",
        "opens_at": "09:01:00",
        "accepts_new_patients": False,
    },
    {
        "name": "name-2",
        "specialty": "dermatology",
        "license_no": "CA-000000",
        "fee": "12.52",
        "bio": "bio-2",
        "email": "email-2@example.com",
        "website": "https://example.com/website-2",
        "opens_at": "09:02:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-3",
        "specialty": "general",
        "license_no": "DA-000000",
        "fee": "12.53",
        "bio": "bio-3",
        "email": "email-3@example.com",
        "website": "https://example.com/website-3",
        "opens_at": "09:03:00",
        "accepts_new_patients": False,
    },
    {
        "name": "name-4",
        "specialty": "cardiology",
        "license_no": "EA-000000",
        "fee": "12.54",
        "bio": "bio-4",
        "email": "email-4@example.com",
        "website": "https://example.com/website-4",
        "opens_at": "09:04:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-5",
        "specialty": "dermatology",
        "license_no": "FA-000000",
        "fee": "12.55",
        "bio": "bio-5",
        "email": "email-5@example.com",
        "website": "https://example.com/website-5",
        "opens_at": "09:05:00",
        "accepts_new_patients": False,
    },
    {
        "name": "name-6",
        "specialty": "general",
        "license_no": "GA-000000",
        "fee": "12.56",
        "bio": "bio-6",
        "email": "email-6@example.com",
        "website": "https://example.com/website-6",
        "opens_at": "09:06:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-7",
        "specialty": "cardiology",
        "license_no": "HA-000000",
        "fee": "12.57",
        "bio": "bio-7",
        "email": "email-7@example.com",
        "website": "https://example.com/website-7",
        "opens_at": "09:07:00",
        "accepts_new_patients": False,
    },
    {
        "name": "name-8",
        "specialty": "dermatology",
        "license_no": "IA-000000",
        "fee": "12.58",
        "bio": "bio-8",
        "email": "email-8@example.com",
        "website": "https://example.com/website-8",
        "opens_at": "09:08:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-9",
        "specialty": "general",
        "license_no": "JA-000000",
        "fee": "12.59",
        "bio": "bio-9",
        "email": "email-9@example.com",
        "website": "https://example.com/website-9",
        "opens_at": "09:09:00",
        "accepts_new_patients": False,
    },
    {
        "name": "name-10",
        "specialty": "cardiology",
        "license_no": "KA-000000",
        "fee": "12.60",
        "bio": "bio-10",
        "email": "email-10@example.com",
        "website": "https://example.com/website-10",
        "opens_at": "09:10:00",
        "accepts_new_patients": True,
    },
    {
        "name": "name-11",
        "specialty": "dermatology",
        "license_no": "LA-000000",
        "fee": "12.61",
        "bio": "bio-11",
        "email": "email-11@example.com",
        "website": "https://example.com/website-11",
        "opens_at": "09:11:00",
        "accepts_new_patients": False,
    },
]

APPOINTMENT_SAMPLES: list[dict[str, Any]] = [
    {
        "starts_at": "2030-01-01T09:00:00Z",
        "minutes": 10,
        "reason": "reason-0",
        "status": "scheduled",
    },
    {"starts_at": "2030-01-02T09:00:00Z", "minutes": 11, "reason": "reason-1", "status": "done"},
    {
        "starts_at": "2030-01-03T09:00:00Z",
        "minutes": 12,
        "reason": "reason-2",
        "status": "cancelled",
    },
    {
        "starts_at": "2030-01-04T09:00:00Z",
        "minutes": 13,
        "reason": "reason-3",
        "status": "scheduled",
    },
    {"starts_at": "2030-01-05T09:00:00Z", "minutes": 14, "reason": "reason-4", "status": "done"},
    {
        "starts_at": "2030-01-06T09:00:00Z",
        "minutes": 15,
        "reason": "reason-5",
        "status": "cancelled",
    },
    {
        "starts_at": "2030-01-07T09:00:00Z",
        "minutes": 16,
        "reason": "reason-6",
        "status": "scheduled",
    },
    {"starts_at": "2030-01-08T09:00:00Z", "minutes": 17, "reason": "reason-7", "status": "done"},
    {
        "starts_at": "2030-01-09T09:00:00Z",
        "minutes": 18,
        "reason": "reason-8",
        "status": "cancelled",
    },
    {
        "starts_at": "2030-01-10T09:00:00Z",
        "minutes": 19,
        "reason": "reason-9",
        "status": "scheduled",
    },
    {"starts_at": "2030-01-11T09:00:00Z", "minutes": 20, "reason": "reason-10", "status": "done"},
    {
        "starts_at": "2030-01-12T09:00:00Z",
        "minutes": 21,
        "reason": "reason-11",
        "status": "cancelled",
    },
]

VISITNOTE_SAMPLES: list[dict[str, Any]] = [
    {"summary": "summary-0", "visited_on": "2030-01-01", "follow_up_in_days": 1},
    {"summary": "summary-1", "visited_on": "2030-01-02", "follow_up_in_days": 2},
    {"summary": "summary-2", "visited_on": "2030-01-03", "follow_up_in_days": 3},
    {"summary": "summary-3", "visited_on": "2030-01-04", "follow_up_in_days": 4},
    {"summary": "summary-4", "visited_on": "2030-01-05", "follow_up_in_days": 5},
    {"summary": "summary-5", "visited_on": "2030-01-06", "follow_up_in_days": 6},
    {"summary": "summary-6", "visited_on": "2030-01-07", "follow_up_in_days": 7},
    {"summary": "summary-7", "visited_on": "2030-01-08", "follow_up_in_days": 8},
    {"summary": "summary-8", "visited_on": "2030-01-09", "follow_up_in_days": 9},
    {"summary": "summary-9", "visited_on": "2030-01-10", "follow_up_in_days": 10},
    {"summary": "summary-10", "visited_on": "2030-01-11", "follow_up_in_days": 11},
    {"summary": "summary-11", "visited_on": "2030-01-12", "follow_up_in_days": 12},
]


@dataclass
class ClinicFactory:
    client: AsyncClient
    headers: dict[str, str]
    counters: dict[str, int] = field(default_factory=dict)
    made: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = field(default_factory=dict)

    def as_user(self, headers: dict[str, str]) -> "ClinicFactory":
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

    async def doctor_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new doctor."""
        payload = self._next("Doctor", DOCTOR_SAMPLES)
        payload.update(overrides)
        return payload

    async def create_doctor(self, **overrides: Any) -> dict[str, Any]:
        row = await self._post("/doctors", await self.doctor_payload(**overrides))
        self.made.setdefault("Doctor", []).append((self.headers, row))
        return row

    async def appointment_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new appointment (its parents made first)."""
        payload = self._next("Appointment", APPOINTMENT_SAMPLES)
        if "doctor_id" not in overrides:
            parent = await self._parent("Doctor", 12, self.create_doctor)
            payload["doctor_id"] = parent["id"]
        payload.update(overrides)
        return payload

    async def create_appointment(self, **overrides: Any) -> dict[str, Any]:
        row = await self._post("/appointments", await self.appointment_payload(**overrides))
        self.made.setdefault("Appointment", []).append((self.headers, row))
        return row

    async def visit_note_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new visit note (its parents made first)."""
        payload = self._next("VisitNote", VISITNOTE_SAMPLES)
        if "appointment_id" not in overrides:
            parent = await self._parent("Appointment", 12, self.create_appointment)
            payload["appointment_id"] = parent["id"]
        payload.update(overrides)
        return payload

    async def create_visit_note(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/visit-notes", await self.visit_note_payload(**overrides))
