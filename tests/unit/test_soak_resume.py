"""Resuming an interrupted soak (`python -m bench.soak --resume FILE`, docs/soak.md).

A 200-document soak takes hours; a resumed run must keep exactly what the interrupted one
proved and run everything else again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench import soak
from tests.strategies.documents import sample_documents
from tests.strategies.render import dump

SEED = 4242


def _results(
    documents: list[dict[str, Any]], statuses: list[str], **options: Any
) -> dict[str, Any]:
    return {
        "seed": SEED,
        "count": len(documents),
        "database": "sqlite",
        "postgresql_count": None,
        "fuzz_examples": 5,
        "installer": "uv",
        "backsmith_commit": "abc1234",
        "started_at": "2026-12-03T09:45:00+00:00",
        "finished_documents": len(statuses),
        **options,
        "documents": [
            {"index": i, "status": status, "document": dump(documents[i])}
            for i, status in enumerate(statuses)
        ],
    }


def _run_info(count: int) -> dict[str, Any]:
    return {
        "seed": SEED,
        "count": count,
        "database": "sqlite",
        "postgresql_count": None,
        "fuzz_examples": 5,
        "installer": "uv",
    }


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    return sample_documents(3, SEED, prose=False)


def test_only_passed_documents_drawn_the_same_way_are_kept(documents: list[dict[str, Any]]) -> None:
    previous = _results(documents, ["passed", "failed", "passed"])
    # The strategies changed since: the seed no longer draws that document.
    previous["documents"][2]["document"] = "feature: something else\n"

    kept = soak.carried_over(previous, _run_info(3), documents)

    assert [r["index"] for r in kept] == [0]
    assert kept[0]["backsmith_commit"] == "abc1234"


def test_a_run_with_other_options_is_not_resumed(documents: list[dict[str, Any]]) -> None:
    previous = _results(documents, ["passed"], fuzz_examples=10)

    with pytest.raises(soak.CannotResume, match="fuzz_examples = 10, this run has 5"):
        soak.carried_over(previous, _run_info(3), documents)


def test_resuming_a_finished_run_runs_nothing_and_records_the_resumption(
    documents: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "soak.json"
    path.write_text(json.dumps(_results(documents, ["passed"] * 3)), encoding="utf-8")

    code = soak.main(
        ["--count", "3", "--seed", str(SEED), "--fuzz-examples", "5", "--resume", str(path)]
    )

    summary = json.loads(path.read_text(encoding="utf-8"))
    assert code == 0
    assert (summary["finished_documents"], summary["passed"]) == (3, 3)
    assert summary["resumed"][0]["backsmith_commit"] == "abc1234"
    assert summary["resumed"][0]["kept"] == 3
    assert "3 passed documents kept" in capsys.readouterr().out


def test_a_file_that_is_not_a_soak_result_is_refused_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}', encoding="utf-8")

    with pytest.raises(SystemExit) as stopped:
        soak.main(["--count", "1", "--seed", str(SEED), "--resume", str(path)])

    assert stopped.value.code == 2
    assert "not the results file of a soak" in capsys.readouterr().err
    assert json.loads(path.read_text(encoding="utf-8")) == {"hello": 1}
