"""Deploy process versions: validate, hash, store once, never overwrite."""

import json
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseflow import engine
from caseflow.domain.actor import LANES, Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.forms import FormSpec, parse_form
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidSpec, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ProcessInstance, ProcessVersion
from caseflow.services.clock import now as clock_now
from caseflow.services.records import load_recorders
from caseflow.services.workflow import committing, log_event
from caseflow.tasks import load_handlers

LANE_ROLES = frozenset(LANES)


def workflows_dir() -> Path:
    return Path(current_app.config["CASEFLOW_WORKFLOWS_DIR"])


def _parsed_form(key: str, text: str, file_name: str) -> FormSpec:
    try:
        return parse_form(key, json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidSpec(N_("form definition is invalid: %(reason)s"), file=file_name, reason=str(exc)) from exc


@cache
def _form_texts(directory: str) -> dict[str, str]:
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(Path(directory, "forms").glob("*.json"))}


@cache
def _load_forms(directory: str) -> dict[str, FormSpec]:
    return {key: _parsed_form(key, text, f"{key}.json") for key, text in _form_texts(directory).items()}


def list_forms() -> dict[str, FormSpec]:
    return _load_forms(str(workflows_dir()))


def get_form_or_raise(key: str | None) -> FormSpec:
    form = list_forms().get(key or "")
    if form is None:
        raise NotFound(N_("form %(form)s is not defined"), form=key)
    return form


def _version_forms(version_id: int) -> dict[str, FormSpec]:
    """The forms deployed with a process version, parsed once per process (versions never change)."""
    cached = current_app.extensions.setdefault("caseflow.version_forms", {})
    if version_id not in cached:
        files = db.session.scalar(select(ProcessVersion.files).where(ProcessVersion.id == version_id)) or {}
        keys = {name: Path(name).stem for name in files if name.startswith(engine.FORMS_DIR)}
        cached[version_id] = {key: _parsed_form(key, files[name], name) for name, key in keys.items()}
    return cached[version_id]


def form_of_version(version_id: int, key: str | None) -> FormSpec:
    """The form `key` as deployed with the process version, so a running instance keeps the form of its version;
    versions deployed before forms were part of a version use the workflows directory's."""
    form = _version_forms(version_id).get(key or "")
    return form if form is not None else get_form_or_raise(key)


def task_form(task) -> FormSpec:
    """The form of a human task, as its instance's process version deployed it."""
    version_id = db.session.scalar(select(ProcessInstance.version_id).where(ProcessInstance.id == task.instance_id))
    return form_of_version(version_id, task.form_key)


def workflow_data(form: FormSpec | None, data: dict) -> dict:
    """The part of a form submission the workflow routes on: free-text fields stay in the case file."""
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
    if not actor.may(Permission.DEPLOY):
        raise NotAllowed(N_("only process designers may deploy"))


def relied_on() -> tuple[set[str], set[str]]:
    """The BPMN user-task ids and message names Python names: the supervisor console's lists and the escalation
    setting, and the messages the case file and transfers send. The journey must contain every one."""
    from caseflow.domain import supervision
    from caseflow.services.casefile import DETAILS_MESSAGE, PLACED_MESSAGE
    from caseflow.services.transfers import TRANSFER_MESSAGE

    tasks = {supervision.DELIVER_SERVICE, supervision.MONTHLY_VISIT, supervision.PACKAGE_REVIEW,
             supervision.PLAN_APPROVAL, supervision.UNREACHABLE_APPROVAL}
    escalation = current_app.config["CASEFLOW_ESCALATION_TASKS"].split(",")
    return tasks | {t.strip() for t in escalation if t.strip()}, {PLACED_MESSAGE, DETAILS_MESSAGE, TRANSFER_MESSAGE}


def _check_relied_on(bundle: engine.Bundle) -> None:
    """Refuse a journey that lacks a task or message the Python relies on: it would silently never match."""
    tasks, messages = relied_on()
    missing_tasks = sorted(tasks - {info.bpmn_id for info in bundle.user_tasks})
    if missing_tasks:
        raise InvalidSpec(N_("the journey has no user task %(task)s, which Caseflow relies on"),
                          element=missing_tasks[0], task=missing_tasks[0])
    missing_messages = sorted(messages - bundle.messages)
    if missing_messages:
        raise InvalidSpec(N_("the journey waits nowhere for message %(message)s, which Caseflow sends"),
                          element=bundle.process_id, message=missing_messages[0])


def _check_campaign(bundle: engine.Bundle) -> None:
    """Refuse a campaign process lacking a milestone task the campaign page shows."""
    from caseflow.services.campaign_board import RELIED_ON

    missing = sorted(RELIED_ON.get(bundle.process_id, set()) - {info.bpmn_id for info in bundle.user_tasks})
    if missing:
        raise InvalidSpec(N_("the campaign has no user task %(task)s, which Caseflow relies on"),
                          element=missing[0], task=missing[0])


def _build(files: dict[str, str], process_id: str, forms: dict[str, str] | None = None) -> engine.Bundle:
    from caseflow.services.cases import JOURNEY

    bundle = engine.build_bundle(files, process_id, operations=load_handlers(),
                                 forms={**_form_texts(str(workflows_dir())), **(forms or {})}, lanes=LANE_ROLES,
                                 records=load_recorders())
    if process_id == JOURNEY:
        _check_relied_on(bundle)
    _check_campaign(bundle)
    return bundle


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


def deploy(files: dict[str, str], process_id: str, *, actor: Actor,
           forms: dict[str, str] | None = None) -> tuple[ProcessVersion, bool]:
    """Validate and store a version of `process_id`; return it and whether it is new. `forms` ({key: JSON text},
    a designer's edited forms) take the place of the workflows directory's forms of the same key."""
    _require_designer(actor)
    for key, text in (forms or {}).items():
        _parsed_form(key, text, f"{engine.FORMS_DIR}{key}.json")
    return _store_all([_build(files, process_id, forms)], actor=actor)[0]


def forget_forms() -> None:
    """Read the workflows directory's forms afresh (after a designer published into it)."""
    _form_texts.cache_clear()
    _load_forms.cache_clear()


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
