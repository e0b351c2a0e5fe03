"""Test data of the Household budget feature: valid payloads and rows made through the API.

Each sample satisfies every constraint the spec declares. A factory hands out a new
sample index per entity, so rows made in one test never collide on unique values.
Unique values run out for some entities after a few rows per user: as the parent of
another row, such an entity's rows are made while they last, then reused.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from httpx import AsyncClient

CATEGORY_SAMPLES: list[dict[str, Any]] = [
    {"name": "name-0", "color": "#aaaaaa", "monthly_limit": "12.50"},
    {"name": "name-1", "color": "#baaaaa", "monthly_limit": "12.51"},
    {"name": "name-2", "color": "#caaaaa", "monthly_limit": "12.52"},
    {"name": "name-3", "color": "#daaaaa", "monthly_limit": "12.53"},
    {"name": "name-4", "color": "#eaaaaa", "monthly_limit": "12.54"},
    {"name": "name-5", "color": "#faaaaa", "monthly_limit": "12.55"},
    {"name": "name-6", "color": "#0aaaaa", "monthly_limit": "12.56"},
    {"name": "name-7", "color": "#1aaaaa", "monthly_limit": "12.57"},
    {"name": "name-8", "color": "#2aaaaa", "monthly_limit": "12.58"},
    {"name": "name-9", "color": "#3aaaaa", "monthly_limit": "12.59"},
    {"name": "name-10", "color": "#4aaaaa", "monthly_limit": "12.60"},
    {"name": "name-11", "color": "#5aaaaa", "monthly_limit": "12.61"},
]

EXPENSE_SAMPLES: list[dict[str, Any]] = [
    {"amount": "12.50", "spent_on": "2030-01-01", "note": "note-0", "kind": "need"},
    {"amount": "12.51", "spent_on": "2030-01-02", "note": "note-1", "kind": "want"},
    {"amount": "12.52", "spent_on": "2030-01-03", "note": "note-2", "kind": "saving"},
    {"amount": "12.53", "spent_on": "2030-01-04", "note": "note-3", "kind": "need"},
    {"amount": "12.54", "spent_on": "2030-01-05", "note": "note-4", "kind": "want"},
    {"amount": "12.55", "spent_on": "2030-01-06", "note": "note-5", "kind": "saving"},
    {"amount": "12.56", "spent_on": "2030-01-07", "note": "note-6", "kind": "need"},
    {"amount": "12.57", "spent_on": "2030-01-08", "note": "note-7", "kind": "want"},
    {"amount": "12.58", "spent_on": "2030-01-09", "note": "note-8", "kind": "saving"},
    {"amount": "12.59", "spent_on": "2030-01-10", "note": "note-9", "kind": "need"},
    {"amount": "12.60", "spent_on": "2030-01-11", "note": "note-10", "kind": "want"},
    {"amount": "12.61", "spent_on": "2030-01-12", "note": "note-11", "kind": "saving"},
]


@dataclass
class BudgetFactory:
    client: AsyncClient
    headers: dict[str, str]
    counters: dict[str, int] = field(default_factory=dict)
    made: dict[str, list[tuple[dict[str, str], dict[str, Any]]]] = field(default_factory=dict)

    def as_user(self, headers: dict[str, str]) -> "BudgetFactory":
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

    async def category_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new category."""
        payload = self._next("Category", CATEGORY_SAMPLES)
        payload.update(overrides)
        return payload

    async def create_category(self, **overrides: Any) -> dict[str, Any]:
        row = await self._post("/categories", await self.category_payload(**overrides))
        self.made.setdefault("Category", []).append((self.headers, row))
        return row

    async def expense_payload(self, **overrides: Any) -> dict[str, Any]:
        """A valid create body for a new expense (its parents made first)."""
        payload = self._next("Expense", EXPENSE_SAMPLES)
        if "category_id" not in overrides:
            parent = await self._parent("Category", 12, self.create_category)
            payload["category_id"] = parent["id"]
        payload.update(overrides)
        return payload

    async def create_expense(self, **overrides: Any) -> dict[str, Any]:
        return await self._post("/expenses", await self.expense_payload(**overrides))
