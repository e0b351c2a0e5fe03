"""How many rows of an entity one user can make in a test, and how the tests fit it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backsmith.spec import load_feature
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_feature
from backsmith.stacks.fastapi_sqlalchemy.context import build_context
from backsmith.stacks.fastapi_sqlalchemy.testplan import (
    PAGE_SIZES,
    UNIQUE_PAGE_SIZES,
    EntityTestPlan,
    FeatureTestPlan,
    build_test_plan,
)
from backsmith.stacks.house import context as house

BIN = Path(sys.executable).parent


def _plan(tmp_path: Path, body: str) -> FeatureTestPlan:
    document = tmp_path / "feature.yaml"
    document.write_text(body)
    return build_test_plan(build_context(load_feature(document)))


def _entity(plan: FeatureTestPlan, name: str) -> EntityTestPlan:
    return next(p for p in plan.entities if p.entity.name == name)


def _keys(plan: EntityTestPlan, *members: str) -> list[tuple[object, ...]]:
    return [tuple(row[m] for m in members) for row in plan.samples]


STOCK = """\
feature: stock
entities:
  Warehouse:
    fields:
      code: {type: str, pattern: "^[A-Z]{3}[0-9]{2}$", unique: true}
  Shelf:
    relations: {warehouse: Warehouse}
    fields: {name: str}
  Item:
    fields: {name: str}
    relations:
      warehouse: {to: Warehouse, embed: [code]}
      shelf: Shelf
"""


def test_a_pattern_unique_parent_is_reused_once_its_distinct_samples_are_used(
    tmp_path: Path,
) -> None:
    plan = _plan(tmp_path, STOCK)
    warehouse, item = _entity(plan, "Warehouse"), _entity(plan, "Item")
    codes = [code for (code,) in _keys(warehouse, "code")]
    assert len(codes) == len(set(codes)) == 12
    # Factories make twelve warehouses per test, then reuse them as parents: an item's page
    # of 100 (its shelves each wanting a warehouse) never asks for a thirteenth code.
    assert plan.limited == {"Warehouse": 12}
    assert warehouse.capacity == 12 and warehouse.page_sizes == UNIQUE_PAGE_SIZES
    assert item.capacity is None and item.page_sizes == PAGE_SIZES
    assert item.embeds[0].pool == 12


def test_one_row_per_user_leaves_out_the_tests_that_need_two(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        """\
feature: people
entities:
  Profile:
    owned: true
    fields: {bio: str}
    unique: [[owner]]
  Post:
    owned: true
    fields: {title: str}
    relations:
      profile: {to: Profile, embed: [bio], inverse: posts}
    list: {filter: [profile.bio]}
""",
    )
    profile, post = _entity(plan, "Profile"), _entity(plan, "Post")
    assert plan.limited == {"Profile": 1}
    assert profile.capacity == 1
    assert profile.rows(5) == 1 and profile.page_sizes == (1,)  # nothing to compare
    # The samples still vary: only the owner is unique.
    assert len(profile.samples) == 12
    # A post's profile is the one its user has: the summary cannot move to a second one,
    # the inverse lists the posts of the one profile, and the parent filter, which needs
    # three profiles to tell apart, is left out.
    assert post.capacity is None
    assert post.embeds[0].movable is False
    assert [(i.parents, i.rows) for i in post.inverses] == [(1, 5)]
    assert post.parent_filters == []


def test_a_unique_owner_and_parent_gives_each_row_its_own_parent(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        """\
feature: slots
entities:
  Warehouse:
    fields: {code: str}
  Slot:
    owned: true
    fields: {label: str}
    relations:
      warehouse: {to: Warehouse, inverse: slots}
    unique: [[owner, warehouse]]
    list: {filter: [warehouse.code]}
""",
    )
    slot = _entity(plan, "Slot")
    assert plan.limited == {}
    assert slot.capacity is None  # each row gets a new warehouse
    (inverse,) = slot.inverses
    assert inverse.rows == 2  # one slot per warehouse, not five over two
    assert slot.parent_filter_counts == (3, 3)


def test_small_key_spaces_cut_the_samples_and_shrink_the_tests(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        """\
feature: keys
entities:
  Badge:
    fields:
      level: {enum: [gold, silver, bronze], unique: true}
      flag: {type: bool, unique: true}
  Seat:
    owned: true
    fields: {row: int(1..3), note: str}
    unique: [[owner, row]]
""",
    )
    badge, seat = _entity(plan, "Badge"), _entity(plan, "Seat")
    # Cut at the bool's second value: every run of rows shorter than the cycle is distinct.
    assert _keys(badge, "level", "flag") == [("gold", True), ("silver", False)]
    assert badge.capacity == 2 and badge.page_sizes == (1, 2)
    assert (badge.rows(5), badge.rows(1)) == (2, 1)
    assert [row for (row,) in _keys(seat, "row")] == [1, 2, 3]
    assert seat.capacity == 3 and seat.page_sizes == (1, 3)
    assert plan.limited == {}  # neither is a parent: no factory reuses them


def test_a_one_to_one_to_a_limited_parent_is_limited_by_it(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        """\
feature: desks
entities:
  Room:
    fields: {kind: {enum: [big, small], unique: true}}
  Desk:
    fields: {label: str}
    relations:
      room: {to: Room, kind: one_to_one, required: true}
""",
    )
    # Past the two rooms, the factory reuses one: a third desk would share it.
    assert plan.limited == {"Room": 2}
    assert _entity(plan, "Desk").capacity == 2


def test_the_same_document_gives_the_same_limits(tmp_path: Path) -> None:
    first, second = _plan(tmp_path, STOCK), _plan(tmp_path, STOCK)
    assert first.limited == second.limited
    assert [p.samples for p in first.entities] == [p.samples for p in second.entities]


def test_the_house_tests_fit_one_profile_per_user_and_share_it(tmp_path: Path) -> None:
    document = tmp_path / "feature.yaml"
    document.write_text(
        """\
feature: people
entities:
  Profile:
    owned: true
    fields: {bio: str}
    unique: [[owner]]
  Post:
    owned: true
    fields: {title: str}
    relations: {profile: Profile}
    unique: [[owner, profile_id]]
  Badge:
    fields: {level: {enum: [gold, silver], unique: true}}
"""
    )
    spec = load_feature(document)
    samples = {e.name: house._samples(e) for e in spec.entities}
    assert [row["level"] for row in samples["Badge"]] == ["gold", "silver"]
    # One profile per user; past it, posts share the one they have, so that a post per
    # profile is all a user gets too.
    assert house._row_limits(spec, samples) == {"Profile": 1, "Post": 1, "Badge": 2}


class _Response:
    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        self.status_code = status_code
        self.body = body
        self.text = repr(body)

    def json(self) -> dict[str, Any]:
        return self.body


class _UniqueAPI:
    """Stands in for the app: creates rows, and answers 409 to a repeated unique key."""

    def __init__(self, unique: dict[str, Callable[[dict[str, Any], str], object]]) -> None:
        self.unique = unique
        self.keys: dict[str, set[object]] = {path: set() for path in unique}
        self.rows = 0

    async def post(self, path: str, json: dict[str, Any], headers: dict[str, str]) -> _Response:
        key = self.unique[path](json, headers["Authorization"])
        if key in self.keys[path]:
            return _Response(409, {"detail": f"{path}: {key!r} already exists"})
        self.keys[path].add(key)
        self.rows += 1
        return _Response(201, {**json, "id": self.rows})


def _factory_class(tmp_path: Path, body: str, name: str) -> Any:
    document = tmp_path / "feature.yaml"
    document.write_text(body)
    spec = load_feature(document)
    source = render_feature(spec)[f"tests/{spec.feature}/factories.py"]
    namespace: dict[str, Any] = {}
    exec(compile(source, "factories.py", "exec"), namespace)  # noqa: S102 - our own output
    return namespace[name]


def test_a_page_of_rows_never_asks_a_unique_parent_for_a_repeated_code(tmp_path: Path) -> None:
    """The statement-count test of items: a pool of warehouses for the embedded summary,
    then 100 items, each with a new shelf that wants a warehouse of its own."""
    api = _UniqueAPI(
        {
            "/warehouses": lambda row, _: row["code"],
            "/shelves": lambda row, _: object(),  # no unique key
            "/items": lambda row, _: object(),
        }
    )
    factory = _factory_class(tmp_path, STOCK, "StockFactory")(api, {"Authorization": "actor"})

    async def page() -> None:
        pool = [await factory.create_warehouse() for _ in range(12)]
        for index in range(100):
            await factory.create_item(warehouse_id=pool[index % 12]["id"])

    asyncio.run(page())  # the factory asserts every create is a 201
    assert len(api.keys["/warehouses"]) == 12


def test_a_child_of_a_one_per_user_parent_shares_the_users_one(tmp_path: Path) -> None:
    body = """\
feature: people
entities:
  Profile:
    owned: true
    fields: {bio: str}
    unique: [[owner]]
  Post:
    owned: true
    fields: {title: str}
    relations: {profile: Profile}
"""
    api = _UniqueAPI(
        {"/profiles": lambda _, user: user, "/posts": lambda row, user: (user, row["title"])}
    )
    factory = _factory_class(tmp_path, body, "PeopleFactory")(api, {"Authorization": "actor"})
    other = factory.as_user({"Authorization": "other"})

    async def posts() -> list[dict[str, Any]]:
        return [await factory.create_post() for _ in range(5)] + [await other.create_post()]

    made = asyncio.run(posts())
    assert len({post["profile_id"] for post in made[:5]}) == 1  # the actor's one profile
    assert made[5]["profile_id"] != made[0]["profile_id"]  # the other user gets their own


VENUES = """\
feature: shop
entities:
  Seat:
    fields: {label: str}
    relations:
      venue: {to: Venue, kind: one_to_one, required: %s}
  Admission:
    owned: true
    fields: {code: str}
    relations:
      seat: {to: Seat, kind: one_to_one}
      venue: Venue
  Venue:
    fields:
      name: {type: str, unique: true}
"""


def _venue_api() -> _UniqueAPI:
    """Venue names are unique, and so is a seat's venue (a one_to_one)."""
    return _UniqueAPI(
        {
            "/venues": lambda row, _: row["name"],
            "/seats": lambda row, _: row["venue_id"] if row["venue_id"] is not None else object(),
            "/admissions": lambda row, _: row["seat_id"],
        }
    )


def test_an_optional_one_to_one_is_left_empty_once_no_new_parent_can_be_made(
    tmp_path: Path,
) -> None:
    """Each admission makes a seat, which takes a venue, and takes one itself: twelve
    venue names last six admissions. A seventh seat would have shared a venue (a 409);
    it gets none."""
    plan = _plan(tmp_path, VENUES % "false")
    assert _entity(plan, "Seat").links_left_empty == ["venue_id"]
    assert _entity(plan, "Admission").links_left_empty == []  # a shared venue is fine there
    assert plan.limited == {"Venue": 12}  # seats are never short
    api = _venue_api()
    factory = _factory_class(tmp_path, VENUES % "false", "ShopFactory")(
        api, {"Authorization": "actor"}
    )

    async def admissions() -> list[dict[str, Any]]:
        return [await factory.create_admission() for _ in range(12)]

    made = asyncio.run(admissions())  # the factory asserts every create is a 201
    assert len({row["seat_id"] for row in made}) == 12
    assert len(api.keys["/venues"]) == 12


def test_an_embedded_optional_one_to_one_is_never_left_empty(tmp_path: Path) -> None:
    """A page's statements are the same for every size only if each row has its parent's
    summary to load: the posters are limited by the frames instead (two per poster)."""
    plan = _plan(
        tmp_path,
        """\
feature: shop
entities:
  Poster:
    fields: {title: str}
    relations:
      frame: {to: Frame, kind: one_to_one, required: false, embed: [size]}
      spare_frame: {to: Frame, kind: one_to_one, required: false}
  Frame:
    fields:
      size: {type: str, unique: true}
""",
    )
    poster = _entity(plan, "Poster")
    assert poster.links_left_empty == ["spare_frame_id"]
    assert poster.capacity == 6


def test_a_parent_that_two_links_of_one_row_draw_on_runs_out_at_their_pace(
    tmp_path: Path,
) -> None:
    """With the seat's venue required, only six admissions fit: the seat's venue and the
    admission's own both come from the twelve names."""
    plan = _plan(tmp_path, VENUES % "true")
    assert plan.limited == {"Seat": 6, "Venue": 12}
    assert _entity(plan, "Admission").capacity == 6
    factory = _factory_class(tmp_path, VENUES % "true", "ShopFactory")(
        _venue_api(), {"Authorization": "actor"}
    )

    async def admissions() -> list[dict[str, Any]]:
        return [await factory.create_admission() for _ in range(6)]

    assert len({row["seat_id"] for row in asyncio.run(admissions())}) == 6


def test_validate_refuses_a_field_no_test_row_can_satisfy_at_its_location(
    tmp_path: Path,
) -> None:
    document = tmp_path / "bad.yaml"
    document.write_text(
        "feature: bad\nentities:\n  Thing:\n    fields:\n"
        '      code: {type: str, pattern: "^[a]$", min_length: 3, unique: true}\n'
    )
    result = subprocess.run(
        [str(BIN / "backsmith"), "validate", str(document)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"{document}:5:7: cannot make test data for Thing.code" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_unique_value_no_request_sets_limits_nothing(tmp_path: Path) -> None:
    """A read_only unique field is null on every row a test makes: nulls never collide,
    so the entity's tests keep their full sizes (they made one row before)."""
    plan = _plan(
        tmp_path,
        """\
feature: shop
entities:
  Shelf:
    tenant: true
    fields:
      url: {type: url, required: false, unique: true, read_only: true}
      size: int(1..5) = 2
""",
    )
    shelf = _entity(plan, "Shelf")
    assert shelf.capacity is None
    assert shelf.rows(6) == 6


def test_a_links_page_leaves_room_for_the_rows_its_targets_make(tmp_path: Path) -> None:
    """Each shelf the page test links to makes a box first (its parent): the boxes the
    test makes itself stay within the distinct samples once those two are made."""
    plan = _plan(
        tmp_path,
        """\
feature: shop
entities:
  Shelf:
    fields: {size: int}
    relations:
      box: {to: Box, required: false}
  Box:
    fields:
      day: {type: date, unique: true}
    relations:
      shelves: {to: Shelf, kind: many_to_many}
""",
    )
    box = _entity(plan, "Box")
    (link,) = box.links
    assert box.capacity is not None
    assert link.large_page + 2 <= box.capacity


def test_two_one_to_ones_to_one_limited_target_share_its_rows(tmp_path: Path) -> None:
    """Each row takes two new categories from one pool: half the categories' limit of
    rows get their own pair, and the next would reuse one a one_to_one already holds."""
    plan = _plan(
        tmp_path,
        """\
feature: shop
entities:
  Category:
    owned: true
    fields: {code: "int(1..4)"}
    unique: [[owner, code]]
  Pair:
    fields: {name: str}
    relations:
      primary: {to: Category, kind: one_to_one}
      backup: {to: Category, kind: one_to_one}
""",
    )
    assert _entity(plan, "Category").capacity == 4
    assert _entity(plan, "Pair").capacity == 2
