"""Deploy process versions: validate, hash, store once, never overwrite."""

import json
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, Role
from caseflow.domain.forms import FormSpec, parse_form
from caseflow.errors import N_, InvalidSpec, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ProcessVersion
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event
from caseflow.tasks import load_handlers

LANE_ROLES = frozenset(role.value for role in Role)


def workflows_dir() -> Path:
    return Path(current_app.config["CASEFLOW_WORKFLOWS_DIR"])


@cache
def _load_forms(directory: str) -> dict[str, FormSpec]:
    forms = {}
    for path in sorted(Path(directory, "forms").glob("*.json")):
        try:
            forms[path.stem] = parse_form(path.stem, json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSpec(N_("form definition is invalid: %(reason)s"), file=path.name, reason=str(exc)) from exc
    return forms


def list_forms() -> dict[str, FormSpec]:
    return _load_forms(str(workflows_dir()))


def get_form_or_raise(key: str | None) -> FormSpec:
    form = list_forms().get(key or "")
    if form is None:
        raise NotFound(N_("form %(form)s is not defined"), form=key)
    return form


def workflow_data(form_key: str | None, data: dict) -> dict:
    """The part of a form submission the workflow routes on: free-text fields stay in the case file."""
    form = list_forms().get(form_key or "")
    if form is None:
        return dict(data)
    free_text = {field.name for field in form.fields if field.type == "textarea"}
    return {key: value for key, value in data.items() if key not in free_text}


def read_bundle_files(directory: Path) -> dict[str, str]:
    """Every BPMN and DMN file of a workflows directory, by file name."""
    files = {}
    for pattern in ("bpmn/*.bpmn", "bpmn/*.dmn", "dmn/*.dmn"):
        for path in sorted(directory.glob(pattern)):
            files[path.name] = path.read_text(encoding="utf-8")
    return files


def _require_designer(actor: Actor) -> None:
    if not ({Role.DESIGNER, Role.ADMIN} & actor.roles):
        raise NotAllowed(N_("only process designers may deploy"))


def _build(files: dict[str, str], process_id: str) -> engine.Bundle:
    return engine.build_bundle(files, process_id, operations=load_handlers(), forms=list_forms(), lanes=LANE_ROLES)


def _store(bundle: engine.Bundle, *, actor: Actor) -> tuple[ProcessVersion, bool]:
    existing = db.session.scalars(select(ProcessVersion).where(ProcessVersion.sha256 == bundle.sha256)).first()
    if existing is not None:
        return existing, False
    now = clock_now()
    version = ProcessVersion(process_id=bundle.process_id, sha256=bundle.sha256, name=bundle.spec.description or
                             bundle.process_id, files=bundle.files, deployed_at=now, deployed_by=actor.user_id)
    db.session.add(version)
    db.session.flush()
    log_event(actor=actor, action=EventAction.VERSION_DEPLOYED, now=now, process=bundle.process_id,
              version=bundle.sha256[:12])
    return version, True


def _store_all(bundles: list[engine.Bundle], *, actor: Actor) -> list[tuple[ProcessVersion, bool]]:
    """Store the versions of validated bundles in one transaction: all of them or none."""
    try:
        with committing():
            return [_store(bundle, actor=actor) for bundle in bundles]
    except IntegrityError:
        pass  # a version was deployed concurrently by someone else: same content, so theirs is ours
    with committing():
        return [_store(bundle, actor=actor) for bundle in bundles]


def deploy(files: dict[str, str], process_id: str, *, actor: Actor) -> tuple[ProcessVersion, bool]:
    """Validate and store a version of `process_id`; return it and whether it is new."""
    _require_designer(actor)
    return _store_all([_build(files, process_id)], actor=actor)[0]


def top_level_process_ids(files: dict[str, str]) -> list[str]:
    """Processes to deploy from a directory: each .bpmn file whose stem is a process id."""
    return [name.removesuffix(".bpmn") for name in sorted(files) if name.endswith(".bpmn")]


def deploy_directory(*, actor: Actor, directory: Path | None = None) -> list[tuple[ProcessVersion, bool]]:
    """Deploy every process of the workflows directory, all or nothing: each is validated before any is stored
    (unchanged ones keep their version)."""
    _require_designer(actor)
    files = read_bundle_files(directory or workflows_dir())
    bundles = [_build(files, process_id) for process_id in top_level_process_ids(files)]
    return _store_all(bundles, actor=actor)


def list_versions(process_id: str | None = None) -> list[ProcessVersion]:
    query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.id.desc())
    if process_id:
        query = query.where(ProcessVersion.process_id == process_id)
    return list(db.session.scalars(query))
