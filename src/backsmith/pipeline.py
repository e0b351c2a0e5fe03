"""The commands' work, as plain functions: the CLI and the MCP server only call these."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from pydantic import BaseModel

from backsmith.errors import BacksmithError
from backsmith.formatting import format_python
from backsmith.gates.runner import run_gates
from backsmith.llm.client import ModelClient, ModelUnavailable, check_model_spec, client_for
from backsmith.llm.loop import LoopResult, LoopStatus, implement_rules
from backsmith.migrations import prepare as prepare_migrations
from backsmith.plan import FeaturePlan, describe, stage_feature
from backsmith.project.profile import load_profile
from backsmith.spec import DocumentWarning, lint_feature, load_feature
from backsmith.spec.model import FeatureSpec, ProseRule
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_project
from backsmith.stacks.fastapi_sqlalchemy.context import build_context
from backsmith.stacks.fastapi_sqlalchemy.testplan import build_test_plan
from backsmith.workspace import Workspace

PROJECT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ImplementResult(BaseModel):
    plan: FeaturePlan
    written: list[str]
    diff: str | None = None  # set on a dry run
    rules_left: list[ProseRule] = []  # prose rules nobody implemented: blockers
    llm: LoopResult | None = None  # what LLM mode did, when it ran
    llm_note: str | None = None  # why LLM mode did not run, when it was asked for


class CheckedFeature(BaseModel):
    """A valid document, and what it says that the API it describes will not do."""

    spec: FeatureSpec
    warnings: list[DocumentWarning]

    def summary(self, document: Path | str) -> str:
        """The line `backsmith validate` ends with: the document is valid, and declares..."""
        entities = ", ".join(e.name for e in self.spec.entities)
        count = len(self.warnings)
        warned = f" ({count} warning{'' if count == 1 else 's'})" if count else ""
        return f"ok: {document}: feature {self.spec.feature!r} with {entities}{warned}"


def check_feature(document: Path) -> CheckedFeature:
    """Load a feature document and lint it. Its test data is made too: a field or check
    that no valid row can satisfy is a `SpecError` here, located, as `new` would refuse it."""
    spec = load_feature(document)
    build_test_plan(build_context(spec))
    return CheckedFeature(spec=spec, warnings=lint_feature(spec))


class NewResult(BaseModel):
    path: Path
    files: list[str]
    feature: ImplementResult | None = None


def plan_feature(project: Path, document: Path) -> FeaturePlan:
    spec = load_feature(document)
    profile = load_profile(project)
    workspace = stage_feature(spec, profile, with_migration=False)
    return describe(spec, workspace, migration_pending=True)


def implement_feature(
    project: Path,
    document: Path,
    *,
    dry_run: bool = False,
    llm: str | None = None,
    max_rounds: int = 3,
    model: ModelClient | None = None,
) -> ImplementResult:
    """Implement the feature of `document` in `project`: all files or none.

    Business rules written in prose are then implemented by a model when `llm` names one
    (`anthropic:MODEL`; `model` injects a client directly), else recorded as left to do.
    """
    if llm is not None:
        check_model_spec(llm)  # a typo in --llm stops us before anything is written
    spec = load_feature(document)
    profile = load_profile(project)
    workspace = stage_feature(spec, profile)
    plan = describe(spec, workspace, migration_pending=False)
    if dry_run:
        return ImplementResult(
            plan=plan, written=[], diff=workspace.diff(), rules_left=list(spec.prose_rules)
        )
    written = workspace.commit()
    result = ImplementResult(plan=plan, written=[c.path for c in written])
    rules = list(spec.prose_rules)
    if rules and (llm or model):
        try:
            client = model or client_for(llm or "")
        except ModelUnavailable as unavailable:
            result.llm_note = f"LLM mode did not run: {unavailable}"
        else:
            result.llm = implement_rules(
                profile.root,
                spec.feature,
                rules,
                client,
                verify=lambda: run_gates(profile.root, LLM_GATES),
                max_rounds=max_rounds,
            )
            if result.llm.status is LoopStatus.IMPLEMENTED:
                rules = []
    result.rules_left = rules
    _record_rules_left(profile.root, spec.feature, rules)
    return result


RULES_LEFT = ".backsmith/rules_left.json"
LLM_GATES = ("tests", "lint", "types")  # what judges each round of LLM mode


def _record_rules_left(root: Path, feature: str, rules: list[ProseRule]) -> None:
    path = root / RULES_LEFT
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        recorded = {}
    recorded[feature] = [describe_rule(rule) for rule in rules]
    if not recorded[feature]:
        del recorded[feature]
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def describe_rule(rule: ProseRule) -> str:
    where = f"{rule.location}: " if rule.location else ""
    entity = f"[{rule.entity}] " if rule.entity else ""
    return f"{where}{entity}{rule.text}"


def load_rules_left(root: Path) -> list[str]:
    try:
        recorded = json.loads((root / RULES_LEFT).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [str(rule) for rules in recorded.values() for rule in rules]


def create_project(name: str, parent: Path, document: Path | None = None) -> NewResult:
    """A new project `parent/name`; with a document, the feature implemented in it."""
    if not PROJECT_NAME.match(name):
        raise BacksmithError(
            f"invalid project name {name!r}", hint="use snake_case: lower-case letters, digits, _"
        )
    destination = (parent / name).resolve()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BacksmithError(
            f"{destination} already exists and is not empty",
            hint="choose another name, or `backsmith implement` inside the existing project",
        )
    if document is not None:
        load_feature(document)  # a bad document stops us before anything is written
        prepare_migrations(destination)  # Alembic starts up while the project is rendered
    files = format_python(render_project(name), None)
    staging = destination.with_name(f".{name}.backsmith-tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        workspace = Workspace(staging)
        for path, content in files.items():
            workspace.stage(path, content, "new project")
        workspace.commit()
        if destination.exists():
            destination.rmdir()
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result = NewResult(path=destination, files=sorted(files))
    if document is not None:
        try:
            result.feature = implement_feature(destination, document)
        except BaseException:
            shutil.rmtree(destination, ignore_errors=True)
            raise
    return result


def write_progress_report(project: Path) -> Path:
    """Write the last gates run into the project's MULTI_AGENT_PLAN.md; returns its path."""
    from backsmith.gates.architecture import feature_packages
    from backsmith.report import load_last_report, write_report

    profile = load_profile(project)
    report = load_last_report(profile.root)
    if report is None:
        raise BacksmithError(
            f"{profile.root}: no gate results yet", hint="run `backsmith gates` first"
        )
    features = feature_packages(profile.root, profile.package)
    return write_report(
        profile.root, report, [f for f in features if f != "auth"], load_rules_left(profile.root)
    )
