"""Relations (long and short forms) and composite uniqueness."""

from __future__ import annotations

from typing import Any

import pytest

from backsmith.spec import feature_json_schema
from backsmith.spec.model import OnDelete, RelationKind

TWO_ENTITIES = """\
feature: clinic
entities:
  Doctor:
    fields: {name: str}
  Visit:
    fields: {day: date}
    relations:
      {relation}
"""


def visit_relations(load: Any, relation: str) -> Any:
    return load(TWO_ENTITIES.replace("{relation}", relation)).entity("Visit").relations


@pytest.mark.parametrize(
    ("relation", "required", "on_delete"),
    [
        ("doctor: Doctor", True, OnDelete.RESTRICT),
        ("doctor: Doctor?", False, OnDelete.RESTRICT),
        ("doctor: {to: Doctor}", True, OnDelete.RESTRICT),
        (
            "doctor: {to: Doctor, kind: many_to_one, required: true, on_delete: cascade}",
            True,
            OnDelete.CASCADE,
        ),
        ("doctor: {to: Doctor, required: false, on_delete: set_null}", False, OnDelete.SET_NULL),
    ],
)
def test_relation_forms(load: Any, relation: str, required: bool, on_delete: OnDelete) -> None:
    (doctor,) = visit_relations(load, relation)
    assert (doctor.name, doctor.target, doctor.kind) == (
        "doctor",
        "Doctor",
        RelationKind.MANY_TO_ONE,
    )
    assert (doctor.required, doctor.on_delete, doctor.column) == (required, on_delete, "doctor_id")
    assert doctor.location is not None and (doctor.location.line, doctor.location.column) == (8, 7)


def test_optional_self_reference_is_allowed(load: Any) -> None:
    spec = load(
        """\
        feature: catalog
        entities:
          Category:
            fields: {name: str}
            relations:
              parent: Category?
        """
    )
    (parent,) = spec.entities[0].relations
    assert (parent.target, parent.required) == ("Category", False)


def test_relations_may_point_forward(load: Any) -> None:
    spec = load(
        """\
        feature: clinic
        entities:
          Visit:
            fields: {day: date}
            relations: {doctor: Doctor}
          Doctor:
            fields: {name: str}
        """
    )
    assert spec.entity("Visit").relations[0].target == "Doctor"


@pytest.mark.parametrize(
    ("relation", "column", "message", "hint"),
    [
        ("doctor: Doctr", 15, "relation target `Doctr` is not an entity", "did you mean `Doctor`?"),
        (
            "doctor: {to: Nurse}",
            20,
            "relation target `Nurse` is not an entity",
            "entities: Doctor, Visit",
        ),
        ("doctor: User", 15, "relation target `User` is not an entity", "`owned: true`"),
        ("doctor: Doctor!", 15, "cannot read the relation `Doctor!`", "`doctor: Doctor?`"),
        (
            "doctor: [Doctor]",
            15,
            "relation `doctor` must be an entity name or a mapping, not a list",
            "",
        ),
        ("doctor: {kind: many_to_one}", 15, "relation `doctor` has no `to`", ""),
        (
            "doctor: {to: Doctor, target: x}",
            28,
            "unknown key `target` in relation `doctor`",
            "to, kind",
        ),
        (
            "doctor: {to: Doctor, kind: one_to_many}",
            34,
            "relation kind `one_to_many` is not supported yet",
            "",
        ),
        (
            "doctor: {to: Doctor, kind: many_to_many, required: true}",
            48,
            "`required` does not apply to the many_to_many `doctor`",
            "remove `required`",
        ),
        (
            "doctor: {to: Doctor, kind: many_to_many, on_delete: cascade}",
            48,
            "`on_delete` does not apply to the many_to_many `doctor`",
            "remove `on_delete`",
        ),
        (
            "doctor: {to: Doctor, kind: many_to_many, inverse: visits}",
            48,
            "`inverse` does not apply to the many_to_many `doctor`",
            "remove `inverse`",
        ),
        (
            "doctor: {to: Doctor, kind: many_to_mny}",
            34,
            "unknown relation kind `many_to_mny`",
            "`many_to_many`",
        ),
        (
            "doctor: {to: Doctor, kind: many-to-one}",
            34,
            "unknown relation kind `many-to-one`",
            "`many_to_one`",
        ),
        (
            "doctor: {to: Doctor, on_delete: set_null}",
            39,
            "on_delete: set_null needs an optional relation",
            "required: false",
        ),
        (
            "doctor: {to: Doctor, on_delete: delete}",
            39,
            "unknown on_delete `delete`",
            "restrict, cascade, set_null",
        ),
        ("doctor: {to: Doctor, on_delete: cascde}", 39, "unknown on_delete `cascde`", "`cascade`"),
        (
            "doctor: {to: Doctor, required: maybe}",
            38,
            "`required` must be true or false, not text",
            "",
        ),
        ("owner: Doctor", 7, "relation name `owner` is reserved", ""),
        ("Doctor: Doctor", 7, "relation name `Doctor` must be snake_case", "`doctor`"),
        ("day: Doctor", 7, "`day` is both a field and a relation of Visit", ""),
    ],
)
def test_relation_mistakes(fail: Any, relation: str, column: int, message: str, hint: str) -> None:
    failure = fail(TWO_ENTITIES.replace("{relation}", relation))
    assert failure.where == f"feature.yaml:8:{column}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_relation_column_clashing_with_a_field(fail: Any) -> None:
    failure = fail(
        """\
        feature: clinic
        entities:
          Doctor: {fields: {name: str}}
          Visit:
            fields: {doctor_id: int}
            relations: {doctor: Doctor}
        """
    )
    assert failure.where == "feature.yaml:6:17"
    assert (
        "relation `doctor` needs the column `doctor_id`, which is already a field"
        in failure.message
    )


def test_relation_name_clashing_with_another_relations_column(fail: Any) -> None:
    failure = fail(
        """\
        feature: clinic
        entities:
          Doctor: {fields: {name: str}}
          Visit:
            fields: {day: date}
            relations:
              doctor: Doctor
              doctor_id: Doctor
        """
    )
    assert failure.where == "feature.yaml:8:7"
    assert "`doctor` is stored as `doctor_id`" in failure.message


def test_required_self_reference_can_never_be_satisfied(fail: Any) -> None:
    failure = fail(
        """\
        feature: catalog
        entities:
          Category:
            fields: {name: str}
            relations:
              parent: Category
        """
    )
    assert failure.where == "feature.yaml:6:7"
    assert "required relations form a cycle (Category.parent -> Category)" in failure.message
    assert "`parent: Category?`" in failure.hint


def test_cycle_of_required_relations_across_entities(fail: Any) -> None:
    failure = fail(
        """\
        feature: org
        entities:
          Team:
            fields: {name: str}
            relations: {lead: Person}
          Person:
            fields: {name: str}
            relations: {team: Team}
        """
    )
    assert failure.where == "feature.yaml:8:17"
    assert "(Team.lead -> Person.team -> Team)" in failure.message
    assert "no first row could ever be created" in failure.message


# ----------------------------------------------------------------------------- unique

UNIQUE = """\
feature: clinic
entities:
  Doctor: {{fields: {{name: str}}}}
  Visit:
    owned: {owned}
    fields: {{day: date, notes: "json?"}}
    relations: {{doctor: Doctor}}
    unique: {unique}
"""


def test_composite_unique_members(load: Any) -> None:
    spec = load(
        UNIQUE.format(owned="true", unique="[[doctor, day], [owner, day], [doctor_id, owner_id]]")
    )
    assert spec.entity("Visit").unique == (
        ("doctor", "day"),
        ("owner", "day"),
        ("doctor", "owner"),
    )


@pytest.mark.parametrize(
    ("owned", "unique", "column", "message", "hint"),
    [
        (
            "false",
            "[[doctor, dya]]",
            23,
            "`unique` names `dya`, which is not a field or relation",
            "`day`",
        ),
        (
            "false",
            "[[owner, day]]",
            15,
            "`unique` names `owner`, but Visit is not owned",
            "owned: true",
        ),
        ("true", "[[notes, day]]", 15, "`notes` is a json field and cannot be unique", ""),
        ("true", "[doctor, day]", 14, "each item of `unique` must be a list of names", "[[a, b]]"),
        ("true", "[[day, day]]", 20, "`day` appears twice in one unique constraint", ""),
        ("true", "[[]]", 14, "a unique constraint needs at least one name", ""),
        ("true", "[[day], [day]]", 21, "this unique constraint is listed twice", ""),
        ("true", "day", 13, "`unique` must be a list, not text", ""),
    ],
)
def test_unique_mistakes(
    fail: Any, owned: str, unique: str, column: int, message: str, hint: str
) -> None:
    failure = fail(UNIQUE.format(owned=owned, unique=unique))
    assert failure.where == f"feature.yaml:8:{column}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_an_inverse_names_the_parents_collection(load: Any) -> None:
    (doctor,) = visit_relations(load, "doctor: {to: Doctor, inverse: visits}")
    assert doctor.inverse == "visits"
    (plain,) = visit_relations(load, "doctor: Doctor")
    assert plain.inverse is None


def test_a_self_reference_may_have_an_inverse(load: Any) -> None:
    spec = load(
        """\
        feature: catalog
        entities:
          Category:
            fields: {name: str}
            relations:
              parent: {to: Category, required: false, inverse: children}
        """
    )
    assert spec.entities[0].relations[0].inverse == "children"


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        (
            TWO_ENTITIES.replace("{relation}", "doctor: {to: Doctor, inverse: Visits}"),
            "feature.yaml:8:37",
            "inverse name `Visits` must be snake_case",
        ),
        (
            TWO_ENTITIES.replace(
                "{relation}",
                "doctor: {to: Doctor, inverse: visits}\n"
                "      referrer: {to: Doctor, required: false, inverse: visits}",
            ),
            "feature.yaml:9:7",
            "inverse `visits` of Visit.referrer clashes with the inverse of Visit.doctor",
        ),
        (
            """\
feature: clinic
entities:
  Doctor:
    fields: {name: str, active: bool}
    actions:
      retire: {set: {active: false}}
  Visit:
    fields: {day: date}
    relations:
      doctor: {to: Doctor, inverse: retire}
""",
            "feature.yaml:10:7",
            "clashes with the action `retire` of Doctor",
        ),
    ],
)
def test_inverse_mistakes(fail: Any, document: str, where: str, message: str) -> None:
    failure = fail(document)
    assert message in failure.message
    assert failure.where == where


COMPUTED = """\
feature: clinic
entities:
  Doctor:
    fields: {name: str}
    computed:
      {computed}
  Visit:
    fields: {minutes: int, note: str, price: "decimal(8,2)"}
    relations:
      doctor: Doctor
      {second}
"""


def test_computed_fields_settle_the_relation_they_count_through(load: Any) -> None:
    spec = load(
        COMPUTED.replace(
            "{computed}", "visits: {count: Visit}\n      booked: {sum: Visit.minutes}"
        ).replace("{second}", "")
    )
    visits, booked = spec.entity("Doctor").computed
    assert (visits.kind.value, visits.source, visits.field, visits.via) == (
        "count",
        "Visit",
        None,
        "doctor",
    )
    assert (booked.kind.value, booked.field, booked.via) == ("sum", "minutes", "doctor")


@pytest.mark.parametrize(
    ("computed", "second", "where", "message"),
    [
        ("visits: {count: Vist}", "", "6:23", "counts `Vist`, which is not an entity"),
        (
            "visits: {sum: Visit.note}",
            "",
            "6:21",
            "which is not a number every reader may see",
        ),
        ("visits: {sum: Visit.nope}", "", "6:21", "`Visit.nope`, which is not a field of it"),
        ("visits: {count: Visit, sum: Visit.minutes}", "", "6:7", "exactly one of `count`"),
        ("visits: {count: Visit, via: doctr}", "", "6:35", "`via: doctr` is not a relation"),
        ("visits: {count: visit}", "", "6:23", "cannot read `count: visit`"),
        ("visits: {count: Visit, where: x}", "", "6:30", "unknown key `where`"),
        ("name: {count: Visit}", "", "6:7", "clashes with a field or relation"),
        (
            "visits: {count: Visit}",
            "referrer: Doctor?",
            "6:23",
            "has 2 relations (doctor, referrer)",
        ),
    ],
)
def test_computed_mistakes(fail: Any, computed: str, second: str, where: str, message: str) -> None:
    failure = fail(COMPUTED.replace("{computed}", computed).replace("{second}", second))
    assert message in failure.message
    assert failure.where == f"feature.yaml:{where}"


@pytest.mark.parametrize("name", ["tag", "tag_ids", "tags"])
def test_a_computed_field_cannot_take_a_many_to_many_name(fail: Any, name: str) -> None:
    """`tag_ids` is the link's field in requests and responses, `tags` its model attribute."""
    failure = fail(
        f"""\
feature: clinic
entities:
  Tag: {{fields: {{label: str}}}}
  Doctor:
    fields: {{name: str}}
    relations: {{tag: {{to: Tag, kind: many_to_many}}}}
    computed:
      {name}: {{count: Visit}}
  Visit:
    fields: {{minutes: int}}
    relations: {{doctor: Doctor}}
"""
    )
    assert f"computed field `{name}` clashes with a field or relation of Doctor" in failure.message
    assert failure.where == "feature.yaml:8:7"


PARENT_FILTER = """\
feature: clinic
entities:
  Doctor:
    fields: {name: str, notes: json, pin: {type: str, write_only: true}}
  Visit:
    fields: {day: date}
    relations: {doctor: Doctor}
    list:
      filter: [{filter}]
"""


def test_a_list_may_filter_by_a_parents_field(load: Any) -> None:
    spec = load(PARENT_FILTER.replace("{filter}", "day, doctor.name"))
    options = spec.entity("Visit").list
    assert options.filter == ("day",)
    ((across),) = options.across
    assert (across.relation, across.field, across.param) == ("doctor", "name", "doctor__name")


@pytest.mark.parametrize(
    ("filter", "column", "message"),
    [
        ("doctr.name", 16, "`doctr` is not a relation of Visit"),
        ("doctor.nme", 16, "`doctor.nme`, which is not a field of Doctor"),
        ("doctor.notes", 16, "`doctor.notes`, which cannot be filtered"),
        ("doctor.pin", 16, "`doctor.pin`, which cannot be filtered"),
        ("doctor.name, doctor.name", 29, "`doctor.name` is listed twice"),
    ],
)
def test_parent_filter_mistakes(fail: Any, filter: str, column: int, message: str) -> None:
    failure = fail(PARENT_FILTER.replace("{filter}", filter))
    assert message in failure.message
    assert failure.where == f"feature.yaml:9:{column}"


# --- many_to_many ---------------------------------------------------------------------


def test_a_many_to_many_is_a_set_of_links_served_as_ids(load: Any) -> None:
    spec = load(TWO_ENTITIES.replace("{relation}", "doctor: {to: Doctor, kind: many_to_many}"))
    visit = spec.entity("Visit")
    assert visit.relations == ()  # no column: it is not a many_to_one
    (doctor,) = visit.many_to_many
    assert (doctor.target, doctor.kind) == ("Doctor", RelationKind.MANY_TO_MANY)
    assert (doctor.ids, doctor.collection, visit.link_table(doctor)) == (
        "doctor_ids",
        "doctors",
        "visit_doctors",
    )
    assert doctor.location is not None and (doctor.location.line, doctor.location.column) == (8, 7)


def test_a_many_to_many_may_link_an_entity_to_itself(load: Any) -> None:
    spec = load(
        """\
        feature: wiki
        entities:
          Page2:
            fields: {title: str}
            relations:
              see_also: {to: Page2, kind: many_to_many}
        """
    )
    (link,) = spec.entities[0].many_to_many
    assert (link.target, spec.entities[0].link_table(link)) == ("Page2", "page2_see_alsos")


LINKED = """\
feature: clinic
entities:
  Doctor:
    fields: {name: str}
  Visit:
    fields: {day: date}
    relations:
      doctor: {to: Doctor, kind: many_to_many}
"""


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        (
            LINKED.replace("Visit:\n", "Visit:\n    list: {filter: [doctor]}\n"),
            "feature.yaml:6:21",
            "`list.filter` names the many_to_many `doctor`, which it does not support yet",
        ),
        (
            LINKED.replace("Visit:\n", "Visit:\n    list: {sort: [-doctor_ids]}\n"),
            "feature.yaml:6:19",
            "`list.sort` names the many_to_many `doctor`",
        ),
        (
            LINKED.replace("Visit:\n", "Visit:\n    unique: [[day, doctor]]\n"),
            "feature.yaml:6:20",
            "`unique` names the many_to_many `doctor`",
        ),
        (
            LINKED.replace("Visit:\n", "Visit:\n    list: {search: [doctor]}\n"),
            "feature.yaml:6:21",
            "`list.search` names `doctor`, which is not a field of Visit",
        ),
        (
            LINKED.replace(
                "Visit:\n", "Visit:\n    checks: [{rule: doctor is null, message: m}]\n"
            ),
            "feature.yaml:6:21",
            "`doctor` is not a field of this entity",
        ),
        (
            LINKED.replace("fields: {day: date}", "fields: {day: date, doctor_ids: str}"),
            "feature.yaml:8:7",
            "many_to_many `doctor` needs `doctor_ids` for its field, which is already the "
            "field `doctor_ids` of Visit",
        ),
        (
            LINKED.replace("fields: {day: date}", "fields: {day: date, doctors: str}"),
            "feature.yaml:8:7",
            "needs `doctors` for its attribute, which is already the field `doctors`",
        ),
        (
            LINKED + "      doctors: Doctor\n",
            "feature.yaml:9:7",
            "relation `doctors` clashes with the many_to_many `doctor`",
        ),
        (
            LINKED.replace("      doctor: {", "      doctors: Doctor\n      doctor: {"),
            "feature.yaml:9:7",
            "needs `doctors` for its attribute, which is already the relation `doctors`",
        ),
        (
            LINKED.replace("Doctor:\n    fields", "Doctor:\n    soft_delete: true\n    fields"),
            "feature.yaml:9:7",
            "links to Doctor, which is soft-deleted: that is not supported yet",
        ),
        (
            LINKED + "  VisitDoctor:\n    fields: {note: str}\n",
            "feature.yaml:8:7",
            "needs the table `visit_doctors`, which is already the table of VisitDoctor",
        ),
        (
            LINKED.replace("doctor: {to: Doctor", "visit: {to: Visit"),
            "feature.yaml:8:7",
            "would store both ends of a link as `visit_id`",
        ),
    ],
)
def test_many_to_many_mistakes(fail: Any, document: str, where: str, message: str) -> None:
    failure = fail(document)
    assert message in failure.message, failure.error
    assert failure.where == where, failure.error


jsonschema = pytest.importorskip("jsonschema")


def test_the_schema_knows_many_to_many() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())

    def valid(relation: dict[str, Any]) -> bool:
        document = {
            "feature": "clinic",
            "entities": {
                "Doctor": {"fields": {"name": "str"}},
                "Visit": {"fields": {"day": "date"}, "relations": {"doctor": relation}},
            },
        }
        return validator.is_valid(document)

    assert valid({"to": "Doctor", "kind": "many_to_many"})
    assert valid({"to": "Doctor", "required": False, "on_delete": "set_null"})
    assert not valid({"to": "Doctor", "kind": "many_to_many", "required": False})
    assert not valid({"to": "Doctor", "kind": "many_to_many", "inverse": "visits"})


def test_a_one_to_one_is_a_unique_many_to_one(load: Any) -> None:
    spec = load(TWO_ENTITIES.replace("{relation}", "doctor: {to: Doctor, kind: one_to_one}"))
    visit = spec.entity("Visit")
    (doctor,) = visit.relations
    assert (doctor.kind, doctor.column, doctor.required) == (
        RelationKind.ONE_TO_ONE,
        "doctor_id",
        True,
    )
    assert visit.unique == (("doctor",),)


EMBEDS = """\
feature: clinic
entities:
  Visit:
    fields: {day: date}
    relations:
      {relation}
  Doctor:
    fields:
      name: str
      notes: json
      pin: {type: str, write_only: true}
      fee: {type: int, access: {read: owner}}
    owned: true
"""


def test_embed_lists_fields_of_a_target_declared_later(load: Any) -> None:
    spec = load(EMBEDS.replace("{relation}", "doctor: {to: Doctor, embed: [name, notes]}"))
    (doctor,) = spec.entity("Visit").relations
    assert doctor.embed == ("name", "notes")  # json fields may be embedded too
    assert [(at.line, at.column) for at in doctor.embed_locations] == [(6, 36), (6, 42)]
    (one,) = visit_relations(load, "doctor: {to: Doctor, kind: one_to_one, embed: [name]}")
    assert one.embed == ("name",)
    (plain,) = visit_relations(load, "doctor: {to: Doctor}")
    assert (plain.embed, plain.embed_locations) == ((), ())


@pytest.mark.parametrize(
    ("relation", "where", "message", "hint"),
    [
        (
            "doctor: {to: Doctor, embed: [nmae]}",
            "feature.yaml:6:36",
            "`embed` of Visit.doctor names `nmae`, which is not a field of Doctor",
            "did you mean `name`?",
        ),
        (
            "doctor: {to: Doctor, embed: [created_at]}",
            "feature.yaml:6:36",
            "names `created_at`, which is not a field of Doctor",
            "fields of Doctor: name, notes",
        ),
        (
            "doctor: {to: Doctor, embed: [name, pin]}",
            "feature.yaml:6:42",
            "names `pin`, which is write_only in Doctor: no response may show it",
            "remove `pin` from `embed`",
        ),
        (
            "doctor: {to: Doctor, embed: [fee]}",
            "feature.yaml:6:36",
            "names `fee`, which only some callers may see (its `access.read` in Doctor)",
            "remove `fee` from `embed`",
        ),
        (
            "doctor: {to: Doctor, embed: []}",
            "feature.yaml:6:35",
            "`embed` of the relation `doctor` is empty",
            "e.g. embed: [name]",
        ),
        (
            "doctor: {to: Doctor, embed: [name, name]}",
            "feature.yaml:6:42",
            "`name` is listed twice in `embed` of the relation `doctor`",
            "list it once",
        ),
        (
            "doctor: {to: Doctor, embed: name}",
            "feature.yaml:6:35",
            "`embed` of the relation `doctor` must be a list, not",
            "",
        ),
        (
            "doctor: {to: Doctor, embed: [3]}",
            "feature.yaml:6:36",
            "`embed` of the relation `doctor` must be text",
            "",
        ),
        (
            "doctor: {to: Doctor, kind: many_to_many, embed: [name]}",
            "feature.yaml:6:48",
            "`embed` does not apply to the many_to_many `doctor`",
            "remove `embed`",
        ),
    ],
)
def test_embed_mistakes(fail: Any, relation: str, where: str, message: str, hint: str) -> None:
    failure = fail(EMBEDS.replace("{relation}", relation))
    assert failure.where == where, failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_a_summary_class_may_not_meet_another_class(fail: Any) -> None:
    document = EMBEDS.replace("{relation}", "doctor: {to: Doctor, embed: [name]}").replace(
        "fields: {day: date}", "fields: {doctor_summary: {enum: [a, b]}}"
    )
    failure = fail(document)
    assert "the summary `embed` makes for Visit.doctor is the class `VisitDoctorSummary`" in (
        failure.message
    )
    assert "already the enum of Visit.doctor_summary" in failure.message
    assert failure.where == "feature.yaml:6:36"


def test_the_json_schema_knows_embed() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())

    def valid(relation: dict[str, Any]) -> bool:
        document = {
            "feature": "clinic",
            "entities": {
                "Doctor": {"fields": {"name": "str"}},
                "Visit": {"fields": {"day": "date"}, "relations": {"doctor": relation}},
            },
        }
        return validator.is_valid(document)

    assert valid({"to": "Doctor", "embed": ["name"]})
    assert not valid({"to": "Doctor", "embed": []})
    assert not valid({"to": "Doctor", "embed": ["name", "name"]})
    assert not valid({"to": "Doctor", "kind": "many_to_many", "embed": ["name"]})
