"""Reading case files: the case page, revealing protected data, search, export and the diagram position.
Every view and reveal is audited; everything is scoped to the actor's region."""

import io
from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import func, or_, select

from caseflow import engine
from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction, HumanTaskState
from caseflow.domain.package import PackageStatus
from caseflow.domain.paging import paging
from caseflow.domain.permissions import Permission, roles_with
from caseflow.errors import N_, InvalidInput, NotAllowed
from caseflow.extensions import db
from caseflow.models import (
    Case,
    Classification,
    EmploymentAssistance,
    EntrepreneurshipSupport,
    EventLog,
    Graduate,
    HardshipFlag,
    HumanTask,
    JobPosting,
    Placement,
    ProcessInstance,
    ProcessVersion,
    Referral,
    Region,
    SubsidyGrant,
)
from caseflow.services import protection
from caseflow.services.cases import get_case_or_raise
from caseflow.services.clock import now as clock_now
from caseflow.services.scope import region_clause
from caseflow.services.workflow import committing, log_event, spec_ref
from caseflow.tasks.package import package_status_of

REVEAL_ROLES = roles_with(Permission.REVEAL_CASE_DATA)
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class CaseFile:
    case: Case
    graduate: Graduate
    flags: list[HardshipFlag]
    region_name: str
    package: PackageStatus | None
    classification: Classification | None
    open_tasks: list[HumanTask]
    referrals: list[tuple[Referral, JobPosting]]
    placements: list[Placement]
    entrepreneurship: EntrepreneurshipSupport | None
    timeline: list[EventLog]
    assistance: EmploymentAssistance | None = None
    subsidies: list[SubsidyGrant] = field(default_factory=list)


def _latest(model, case_id: int):
    return db.session.scalars(select(model).where(model.case_id == case_id).order_by(model.id.desc()).limit(1)).first()


def _all(model, case_id: int) -> list:
    return list(db.session.scalars(select(model).where(model.case_id == case_id).order_by(model.id)))


def timeline(case: Case) -> list[EventLog]:
    """Everything that happened to the case and its workflow, newest first (views are left out)."""
    clauses = [EventLog.case_id == case.id]
    if case.instance_id:
        clauses.append(EventLog.instance_id == case.instance_id)
    return list(db.session.scalars(select(EventLog).where(or_(*clauses), EventLog.action != EventAction.CASE_VIEWED)
                                   .order_by(EventLog.at.desc(), EventLog.id.desc()).limit(300)))


def case_file(case_id: int, *, actor: Actor) -> CaseFile:
    """The whole case file for one page; the view is recorded in the audit trail."""
    case = get_case_or_raise(case_id, actor)
    referrals = db.session.execute(select(Referral, JobPosting).join(JobPosting, JobPosting.id == Referral.posting_id)
                                   .where(Referral.case_id == case.id).order_by(Referral.id)).all()
    region = db.session.get(Region, case.region_code)
    view = CaseFile(
        case=case, graduate=db.session.get(Graduate, case.graduate_id),
        flags=list(db.session.scalars(select(HardshipFlag).where(HardshipFlag.graduate_id == case.graduate_id))),
        region_name=region.name if region else case.region_code,
        package=package_status_of(case) if case.package_requirement else None,
        classification=_latest(Classification, case.id),
        open_tasks=list(db.session.scalars(select(HumanTask).where(HumanTask.case_id == case.id,
                                                                   HumanTask.state == HumanTaskState.READY))),
        referrals=[(r, p) for r, p in referrals],
        placements=list(db.session.scalars(select(Placement).where(Placement.case_id == case.id))),
        entrepreneurship=_latest(EntrepreneurshipSupport, case.id), timeline=timeline(case),
        assistance=_latest(EmploymentAssistance, case.id), subsidies=_all(SubsidyGrant, case.id))
    with committing():
        log_event(actor=actor, action=EventAction.CASE_VIEWED, now=clock_now(), case_id=case.id)
    return view


def task_subject(task: HumanTask) -> tuple[str, str] | None:
    """(name, masked ID) of the graduate a task is about; the task itself was authorised, and a transfer's
    acceptance task lives in the receiving county before the case does."""
    if task.case_id is None:
        return None
    row = db.session.execute(select(Graduate.name, Graduate.id_masked).join(Case, Case.graduate_id == Graduate.id)
                             .where(Case.id == task.case_id)).first()
    return tuple(row) if row else None


def reveal(case_id: int, *, reason: str, actor: Actor) -> dict[str, str | None]:
    """The unmasked ID number and phone, for a stated reason that goes into the audit trail."""
    if not REVEAL_ROLES & actor.roles:
        raise NotAllowed(N_("only caseworkers and supervisors may see full ID numbers and phones"))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput(N_("say why you need to see the full ID number and phone"))
    case = get_case_or_raise(case_id, actor)
    graduate = db.session.get(Graduate, case.graduate_id)
    with committing():
        log_event(actor=actor, action=EventAction.DATA_REVEALED, now=clock_now(), case_id=case.id,
                  reason=reason[:500])
    return {"id_number": protection.decrypt(graduate.id_encrypted),
            "phone": protection.decrypt(graduate.phone_encrypted) if graduate.phone_encrypted else None}


def _case_query(actor: Actor, text: str | None):
    query = (select(Case, Graduate).join(Graduate, Graduate.id == Case.graduate_id)
             .where(region_clause(Case.region_code, actor.region_code)))
    if text and text.strip():
        text = text.strip()
        query = query.where(or_(Graduate.name.contains(text, autoescape=True),
                                Graduate.id_masked.endswith(text[-4:].upper(), autoescape=True)))
    return query


@dataclass
class CaseSearchPage:
    rows: list[tuple[Case, Graduate]]
    total: int
    page: int
    pages: int


def search_cases(actor: Actor, text: str | None, *, page: int = 1) -> CaseSearchPage:
    """One page of the cases in the actor's region whose graduate's name contains `text` or whose ID ends
    with it, newest first."""
    query = _case_query(actor, text)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    shown = paging(total, page)
    rows = db.session.execute(query.order_by(Case.id.desc()).limit(shown.size).offset(shown.offset)).all()
    return CaseSearchPage([(c, g) for c, g in rows], total, shown.page, shown.pages)


EXPORT_HEADER = ("案例编号", "姓名", "身份证号（脱敏）", "学校", "专业", "学历", "所在地区", "状态", "困难类型数",
                 "移交时间")


def export_cases(actor: Actor, text: str | None = None) -> bytes:
    """The actor's region's cases as an XLSX workbook (masked data only; formula-like text neutralised)."""
    from openpyxl import Workbook

    from caseflow.services.handover import safe_cell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("cases")
    sheet.append(EXPORT_HEADER)
    count = 0
    for case, graduate in db.session.execute(_case_query(actor, text).order_by(Case.id)
                                             .execution_options(yield_per=1000)):
        sheet.append([safe_cell(v) for v in (case.id, graduate.name, graduate.id_masked, graduate.school,
                                             graduate.major_name, graduate.degree, case.region_code, case.status,
                                             case.hardship_level, case.handover_at.isoformat())])
        count += 1
    with committing():
        log_event(actor=actor, action=EventAction.EXPORTED, now=clock_now(), rows=count, search=text or "")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def diagram(case_id: int, *, actor: Actor) -> dict:
    """The BPMN of the process the case is in now, with the active elements to highlight."""
    case = get_case_or_raise(case_id, actor)
    instance = db.session.get(ProcessInstance, case.instance_id)
    sha, process_id, files = spec_ref(instance.version_id)
    version_files = files or db.session.get(ProcessVersion, instance.version_id).files
    active = engine.active_elements(sha, process_id, files, instance.state)
    deepest = active[-1] if active else (process_id, [])
    file_name = f"{deepest[0]}.bpmn"
    return {"process": deepest[0], "active": deepest[1], "path": [p for p, _ in active],
            "path_names": [_process_name(version_files, p) for p, _ in active],
            "xml": version_files.get(file_name, version_files.get(f"{process_id}.bpmn"))}


def _process_name(files: dict, process_id: str) -> str:
    root = etree.fromstring(files[f"{process_id}.bpmn"].encode()) if f"{process_id}.bpmn" in files else None
    process = root.find(f"{{{BPMN_NS}}}process") if root is not None else None
    return process.get("name", process_id) if process is not None else process_id


def localize_names(xml: str, translate) -> str:
    """The diagram with every element name passed through `translate` (web.bpmn_label: the line of the user's
    language of a bilingual name)."""
    root = etree.fromstring(xml.encode(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("name") and element.tag.startswith(f"{{{BPMN_NS}}}"):
            element.set("name", translate(element.get("name")))
    return etree.tostring(root, encoding="unicode")
