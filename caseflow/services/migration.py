"""Move running instances of a process from one version to another, in bulk.

A dry run lists which instances can move and why the others cannot (engine.migration: tasks aligned by BPMN id,
with a designer-supplied map for renamed elements). The run moves the movable ones in batches, each instance in
its own transaction under the usual version check: waiting timers keep their due dates, ready tasks keep their
ids (so their inbox rows keep assignee and draft), and every move is in the event log."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select, update

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, HumanTaskState, InstanceStatus
from caseflow.domain.permissions import Permission
from caseflow.engine import EngineError
from caseflow.engine import migration as engine_migration
from caseflow.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import HumanTask, ProcessInstance, ProcessVersion
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, load_instance, log_event, save_step, spec_ref

DEFAULT_BATCH = 200


def _require(actor: Actor) -> None:
    if not actor.may(Permission.MIGRATE_INSTANCES):
        raise NotAllowed(N_("only process designers may move running instances"))


def parse_map(text: str) -> dict[str, str]:
    """The designer's map of renamed elements: one `old_id=new_id` a line (or separated by commas)."""
    mapping = {}
    for item in text.replace(",", "\n").splitlines():
        if not item.strip():
            continue
        old, sep, new = item.partition("=")
        if not sep or not old.strip().isidentifier() or not new.strip().isidentifier():
            raise InvalidInput(N_("the element map must read old_id=new_id, not %(item)s"), item=item.strip())
        mapping[old.strip()] = new.strip()
    return mapping


def _versions(process_id: str, from_id: int, to_id: int) -> tuple[ProcessVersion, ProcessVersion]:
    source, target = db.session.get(ProcessVersion, from_id), db.session.get(ProcessVersion, to_id)
    for version, number in ((source, from_id), (target, to_id)):
        if version is None or version.process_id != process_id:
            raise NotFound(N_("process %(process)s has no version %(version)s"), process=process_id, version=number)
    if from_id == to_id:
        raise InvalidInput(N_("choose two different versions"))
    return source, target


def _running(version_id: int, after: int = 0, limit: int | None = None, only: list[int] | None = None) -> list[int]:
    query = (select(ProcessInstance.id).where(ProcessInstance.version_id == version_id,
                                              ProcessInstance.status == InstanceStatus.RUNNING,
                                              ProcessInstance.id > after).order_by(ProcessInstance.id))
    if only is not None:
        query = query.where(ProcessInstance.id.in_(only))
    return list(db.session.scalars(query.limit(limit) if limit else query))


@dataclass(frozen=True)
class Candidate:
    instance_id: int
    case_id: int | None
    refusals: list = field(default_factory=list)

    @property
    def movable(self) -> bool:
        return not self.refusals


def dry_run(process_id: str, from_id: int, to_id: int, mapping: Mapping[str, str], *,
            actor: Actor) -> list[Candidate]:
    """Every running instance of the source version: whether it can move, and if not, why."""
    _require(actor)
    _versions(process_id, from_id, to_id)
    new = spec_ref(to_id)
    result = []
    for instance_id in _running(from_id):
        instance = load_instance(instance_id)
        refusals = engine_migration.check(spec_ref(from_id), instance.state, new, mapping)
        result.append(Candidate(instance_id, instance.case_id, refusals))
    db.session.rollback()
    return result


@dataclass
class Outcome:
    moved: int = 0
    refused: int = 0
    failed: int = 0  # changed meanwhile or unloadable: left on its version


def _move(instance_id: int, from_id: int, to_id: int, mapping: Mapping[str, str], *, actor: Actor) -> str:
    now = clock_now()
    with committing():
        instance = load_instance(instance_id)
        if instance.version_id != from_id or instance.status != InstanceStatus.RUNNING:
            return "refused"
        snapshot, refusals = engine_migration.migrate(spec_ref(from_id), instance.state, spec_ref(to_id), mapping)
        if snapshot is None:
            return "refused"
        save_step(instance, snapshot, now=now, actor=actor)
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                           .values(version_id=to_id).execution_options(synchronize_session=False))
        for task in snapshot.ready_tasks:  # kept tasks keep their row; a renamed element renames it
            db.session.execute(update(HumanTask).where(HumanTask.id == task.task_id,
                                                       HumanTask.state == HumanTaskState.READY)
                               .values(bpmn_id=task.info.bpmn_id, name=task.info.name, form_key=task.info.form)
                               .execution_options(synchronize_session=False))
        log_event(actor=actor, action=EventAction.INSTANCE_MIGRATED, now=now, instance_id=instance_id,
                  case_id=instance.case_id, from_version=from_id, to_version=to_id, map=dict(mapping))
    return "moved"


def run(process_id: str, from_id: int, to_id: int, mapping: Mapping[str, str], *, actor: Actor,
        batch_size: int = DEFAULT_BATCH, progress: Callable[[Outcome, int], None] | None = None,
        only: Iterable[int] | None = None) -> Outcome:
    """Move every movable running instance of the source version (or `only` those of them), a batch at a time;
    report after each batch."""
    _require(actor)
    _versions(process_id, from_id, to_id)
    only = list(only) if only is not None else None
    total = len(_running(from_id, only=only))
    outcome, last = Outcome(), 0
    while batch := _running(from_id, after=last, limit=batch_size, only=only):
        for instance_id in batch:
            try:
                result = _move(instance_id, from_id, to_id, mapping, actor=actor)
            except (Conflict, EngineError):  # changed meanwhile, or its state cannot load: left as it is
                result = "failed"
            setattr(outcome, result, getattr(outcome, result) + 1)
        last = batch[-1]
        if progress:
            progress(outcome, total)
    return outcome
