"""Finding the machine block (fence, front matter, YAML file) and reading the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backsmith.errors import SpecError
from backsmith.spec import load_feature

BLOCK = """\
feature: shop
entities:
  Item:
    fields:
      name: str
"""


def test_markdown_block_errors_point_into_the_original_file(fail: Any) -> None:
    failure = fail(
        "# Shop\n\nProse.\n\n```yaml backsmith\n"
        "feature: shop\nentities:\n  Item:\n    fields:\n      name: strr\n```\n",
        name="shop.md",
    )
    assert failure.where == "shop.md:10:13"  # line 5 of the block, which opens at line 5
    assert "unknown type `strr`" in failure.message


def test_markdown_block_is_found_among_other_fences(load: Any) -> None:
    text = (
        "# Shop\n\n```python\nprint('not this one')\n```\n\n"
        "````markdown\nAn example inside an outer fence is not the block:\n"
        "```yaml backsmith\nfeature: wrong\n```\n````\n\n"
        f"```yaml backsmith\n{BLOCK}```\n"
    )
    spec = load(text, name="shop.md")
    assert spec.feature == "shop"
    assert spec.entities[0].location is not None
    assert spec.entities[0].location.line == 17


def test_tilde_fence_and_extra_info_words(load: Any) -> None:
    spec = load(f"~~~yaml backsmith v1\n{BLOCK}~~~\n", name="shop.md")
    assert spec.feature == "shop"


def test_indented_fence_shifts_columns(fail: Any) -> None:
    indented = "".join(f"  {line}\n" for line in BLOCK.replace("str", "strr").splitlines())
    failure = fail(f"- item\n\n  ```yaml backsmith\n{indented}  ```\n", name="shop.md")
    assert failure.where == "shop.md:8:15"


def test_two_blocks_are_an_error_naming_both_lines(fail: Any) -> None:
    failure = fail(
        f"# A\n```yaml backsmith\n{BLOCK}```\n\n```yaml backsmith\n{BLOCK}```\n", name="a.md"
    )
    assert failure.where == "a.md:10:1"
    assert "two ```yaml backsmith blocks, at lines 2 and 10" in failure.message


def test_unclosed_block(fail: Any) -> None:
    failure = fail(f"# A\n\n```yaml backsmith\n{BLOCK}", name="a.md")
    assert failure.where == "a.md:3:1"
    assert "opened at line 3 is never closed" in failure.message


def test_front_matter_with_feature(load: Any, fail: Any) -> None:
    spec = load(f"---\n{BLOCK}---\n\n# Shop\n\nProse.\n", name="shop.md")
    assert spec.feature == "shop"
    failure = fail(f"---\n{BLOCK.replace('str', 'strr')}---\n# Shop\n", name="bad.md")
    assert failure.where == "bad.md:6:13"


def test_fenced_block_wins_over_front_matter(load: Any) -> None:
    text = f"---\nfeature: front\nentities: {{}}\n---\n\n```yaml backsmith\n{BLOCK}```\n"
    assert load(text, name="shop.md").feature == "shop"


def test_front_matter_without_feature_is_not_the_block(fail: Any) -> None:
    failure = fail("---\ntitle: A blog post\n---\n\nNo block here.\n", name="post.md")
    assert failure.where == "post.md:1:1"
    assert "no ```yaml backsmith block and no front matter with a `feature` key" in failure.message
    assert "```yaml backsmith" in failure.hint


def test_plain_yaml_fence_gets_a_hint(fail: Any) -> None:
    failure = fail(f"# Shop\n\n```yaml\n{BLOCK}```\n", name="shop.md")
    assert failure.where == "shop.md:1:1"
    assert "the block at line 3 looks like it; open it with ```yaml backsmith" in failure.hint


@pytest.mark.parametrize("name", ["shop.yaml", "shop.yml", "SHOP.YAML"])
def test_yaml_files_are_the_document(load: Any, name: str) -> None:
    assert load(BLOCK, name=name).feature == "shop"


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BLOCK.encode())
    assert load_feature(path).feature == "shop"


def failure_of(path: Path) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_feature(path)
    return info.value


def test_missing_file(tmp_path: Path) -> None:
    error = failure_of(tmp_path / "nope.md")
    assert error.message == f"no such file: {tmp_path / 'nope.md'}"


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in failure_of(tmp_path).message


def test_not_utf8_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"feature: shop\ntitle: caf\xe9\n")
    error = failure_of(path)
    assert str(error.location) == f"{path}:2:11"
    assert "not valid UTF-8" in error.message


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        (
            "feature: shop\nentities:\n  Item:\n   fields: {}\n  x\n",
            "5:3",
            "YAML syntax error",
            "indentation",
        ),
        ("feature: shop\nentities:\n\tItem: {}\n", "3:1", "YAML syntax error", "spaces only"),
        (
            "feature: shop\ntitle: a: b\n",
            "2:9",
            "mapping values are not allowed here",
            "must be quoted",
        ),
        ("feature: shop\n---\nfeature: other\n", "2:1", "expected a single document", "`---`"),
        ("feature: *nothing\n", "1:10", "found undefined alias", "anchor"),
        ("feature: {a: b?}\n", "1:15", "YAML syntax error", "ends plain text at `?`"),
        ("", "1:1", "the feature document is empty", "```yaml backsmith"),
        ("# only a comment\n", "1:1", "the feature document is empty", ""),
        ("feature: shop\ntitle: \x07\n", "2:8", "YAML cannot contain the character", ""),
    ],
)
def test_yaml_mistakes(fail: Any, text: str, where: str, message: str, hint: str) -> None:
    failure = fail(text)
    assert failure.where == f"feature.yaml:{where}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_values_that_refer_to_themselves(fail: Any) -> None:
    failure = fail(BLOCK + "      data: {type: json, default: &loop [1, *loop]}\n")
    assert failure.where == "feature.yaml:6:35"  # the anchored list
    assert "refers to itself" in failure.message


def test_aliases_cannot_blow_up_a_value(fail: Any) -> None:
    # A "billion laughs" value: 2**31 items once expanded. Shared parts stay shared, so this
    # is refused at once instead of eating the machine.
    parts = ["&a0 [x]"] + [f"&a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 31)]
    failure = fail(BLOCK + "      data: {type: json, default: [" + ", ".join(parts) + "]}\n")
    assert failure.where == "feature.yaml:6:35"
    assert "`data`: the default is not JSON: it expands to 6442450911 values" in failure.message


def test_unsafe_tags_are_refused(fail: Any) -> None:
    failure = fail(BLOCK + "      data: {type: json, default: !!python/object:os.system x}\n")
    assert failure.where == "feature.yaml:6:35"  # the tag
    assert "cannot read this value" in failure.message


def test_deep_nesting_is_an_error_not_a_crash(fail: Any) -> None:
    deep = "[" * 5000 + "]" * 5000
    failure = fail(BLOCK + f"      data: {{type: json, default: {deep}}}\n")
    assert "nested too deeply" in failure.message


def test_form_feeds_in_prose_do_not_shift_line_numbers(fail: Any) -> None:
    failure = fail(
        f"# A\f page\n\n```yaml backsmith\n{BLOCK.replace('str', 'strr')}```\n", name="a.md"
    )
    assert failure.where == "a.md:8:13"
