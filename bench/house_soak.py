"""House soak: random valid documents implemented in the fixture projects backsmith did not write.

    python -m bench.house_soak --count N --seed S --project async_domain [--out FILE]

Each document is drawn by `tests/strategies` (reproducibly from the seed), with what
existing projects still refuse taken out (`tenant`, `computed`, field `access`,
`embed`): what is left is the rest of the document as drawn. A copy of
`tests/fixtures/projects/PROJECT` gets it through `implement` (its own Alembic makes the
migration), then the project's own suite, lint and types gates run. A document is
`refused` (with the message, which must name its place), `passed`, or `failed` (the gate
and its first failures). The results are printed, and written as JSON to `--out` after
every document.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from backsmith.errors import SpecError
from backsmith.gates.runner import run_gates
from backsmith.pipeline import implement_feature
from tests.strategies.documents import sample_documents
from tests.strategies.render import dump

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "projects"
GATES = ["tests", "lint", "types"]
ENTITY_OPTIONS_REFUSED = ("tenant", "computed")


def without_what_existing_projects_refuse(document: dict[str, Any]) -> dict[str, Any]:
    for entity in (document.get("entities") or {}).values():
        for option in ENTITY_OPTIONS_REFUSED:
            entity.pop(option, None)
        for spec in (entity.get("fields") or {}).values():
            if isinstance(spec, dict):
                spec.pop("access", None)
        for relation in (entity.get("relations") or {}).values():
            if isinstance(relation, dict):
                relation.pop("embed", None)
    return document


def soak(count: int, seed: int, project: str, out: Path | None) -> list[dict[str, Any]]:
    drawn = sample_documents(count, seed, max_entities=3, max_fields=4, prose=False)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="house-soak-") as scratch:
        for index, document in enumerate(drawn):
            root = Path(scratch) / f"{project}-{index}"
            shutil.copytree(
                FIXTURES / project, root, ignore=shutil.ignore_patterns("__pycache__", ".*")
            )
            path = Path(scratch) / f"{seed}-{index}.yaml"
            path.write_text(dump(without_what_existing_projects_refuse(document)), "utf-8")
            result: dict[str, Any] = {"index": index, "document": path.read_text("utf-8")}
            try:
                implement_feature(root, path)
            except SpecError as error:
                result |= {"status": "refused", "message": str(error)}
            else:
                report = run_gates(root, GATES)
                failed = [r for r in report.results if r.status.value != "passed"]
                result["status"] = "failed" if failed else "passed"
                result["failures"] = [
                    {
                        "gate": r.name,
                        "summary": r.summary,
                        "first": [f.message for f in r.failures[:3]],
                    }
                    for r in failed
                ]
            results.append(result)
            print(index, result["status"], result.get("message") or result.get("failures") or "")
            if out is not None:
                out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(Counter(r["status"] for r in results))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--project", default="async_domain", choices=sorted(p.name for p in FIXTURES.iterdir())
    )
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    soak(arguments.count, arguments.seed, arguments.project, arguments.out)


if __name__ == "__main__":
    main()
