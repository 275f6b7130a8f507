"""The BPMN lane → role table as administrators see it: each lane name the deployed processes use, the role whose
members work its user tasks, the processes and user tasks in it, and how many active accounts hold that role."""

from dataclasses import dataclass, field

import defusedxml.ElementTree as safe_xml
from sqlalchemy import func, select

from caseflow.domain import labels
from caseflow.domain.actor import LANES, Actor, lane_role
from caseflow.domain.enums import Role
from caseflow.extensions import db
from caseflow.models import ProcessVersion, User, UserRole
from caseflow.services.accounts import check_administrator
from caseflow.services.scope import region_clause

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass
class Lane:
    name: str  # as the diagrams write it (the English line of a bilingual name)
    role: Role | None  # None: no role works it (deploy refuses user tasks there)
    processes: set[str] = field(default_factory=set)
    user_tasks: int = 0
    holders: int = 0  # active accounts of the administrator's region holding the role
    chinese: str = ""  # the Chinese line the diagrams give the lane


def _lanes_of(xml: str) -> dict[str, tuple[str, int]]:
    """Lane name (its English line) → its Chinese line and the number of user tasks placed in it, for one BPMN
    file."""
    root = safe_xml.fromstring(xml.encode(), forbid_dtd=True)
    user_tasks = {task.get("id") for task in root.iter(f"{BPMN}userTask")}
    lanes: dict[str, tuple[str, int]] = {}
    for lane in root.iter(f"{BPMN}lane"):
        label = labels.split(lane.get("name"))
        refs = {(ref.text or "").strip() for ref in lane.iter(f"{BPMN}flowNodeRef")}
        chinese, count = lanes.get(label.key, ("", 0))
        lanes[label.key] = (chinese or label.zh, count + len(refs & user_tasks))
    return lanes


def _latest_versions() -> list[ProcessVersion]:
    newest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)
    return list(db.session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(newest))
                                   .order_by(ProcessVersion.process_id)))


def lane_table(actor: Actor) -> list[Lane]:
    """Every lane of the newest deployed versions, and every lane name the table knows, with its role."""
    check_administrator(actor)
    lanes = {name: Lane(name, role) for name, role in LANES.items()}
    for version in _latest_versions():
        own = version.files.get(f"{version.process_id}.bpmn")
        for name, (chinese, tasks) in (_lanes_of(own) if own else {}).items():
            lane = lanes.setdefault(name.lower(), Lane(name, lane_role(name)))
            lane.name = name if lane.name == name.lower() else lane.name
            lane.chinese = lane.chinese or chinese
            lane.processes.add(version.process_id)
            lane.user_tasks += tasks
    holders = dict(db.session.execute(select(UserRole.role, func.count()).join(User, User.id == UserRole.user_id)
                                      .where(User.active.is_(True), region_clause(User.region_code,
                                                                                  actor.region_code))
                                      .group_by(UserRole.role)).all())
    for lane in lanes.values():
        lane.holders = holders.get(lane.role.value, 0) if lane.role else 0
    return sorted(lanes.values(), key=lambda lane: (not lane.processes, lane.name.lower()))
