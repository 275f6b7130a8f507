"""The process designer's workspace: a draft per designer and process, linted on every save, published as a
version exactly as deploy makes one (all or nothing, the same checks), written back to the workflows files; the
versions of a process with who deployed them and how many instances run on each; a diff between two versions."""

import difflib
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from lxml import etree
from sqlalchemy import func, select

from caseflow.domain.actor import Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.paging import PAGE_SIZE, paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, InvalidSpec, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ProcessDraft, ProcessVersion
from caseflow.services import deployment, lint
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event

MODEL_FILES = (".bpmn", ".dmn")
MAX_XML_BYTES = 2 * 1024 * 1024
_DI_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
                  "http://www.omg.org/spec/DD/20100524/DI", "https://www.omg.org/spec/DMN/20191111/DMNDI/")


def _require(actor: Actor, permission: Permission = Permission.DESIGN_PROCESSES) -> None:
    if not actor.may(permission):
        raise NotAllowed(N_("only process designers may edit and publish processes"))


def model_files(files: dict[str, str]) -> dict[str, str]:
    """A version's BPMN and DMN files, without the forms stored beside them."""
    return {name: text for name, text in files.items() if name.endswith(MODEL_FILES)}


def current_version(process_id: str) -> ProcessVersion | None:
    return db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                              .order_by(ProcessVersion.id.desc())).first()


def process_ids() -> list[str]:
    return list(db.session.scalars(select(ProcessVersion.process_id).distinct().order_by(ProcessVersion.process_id)))


def _draft(process_id: str, actor: Actor) -> ProcessDraft | None:
    return db.session.scalars(select(ProcessDraft).where(ProcessDraft.process_id == process_id,
                                                         ProcessDraft.designer == actor.user_id)).first()


@dataclass(frozen=True)
class Workspace:
    """What the editor opens: the files (the designer's draft, else the current version's), the file edited,
    whether it is a draft, and the lint of the files."""

    process_id: str
    files: dict[str, str]
    main_file: str
    is_draft: bool
    base_version_id: int | None
    report: lint.Report


def main_file(process_id: str, files: dict[str, str]) -> str:
    """The file that declares the process: `<process_id>.bpmn` by convention, else the first that declares it."""
    if f"{process_id}.bpmn" in files:
        return f"{process_id}.bpmn"
    for name in sorted(files):
        if name.endswith(".bpmn") and process_id in lint.process_ids({name: files[name]}):
            return name
    raise NotFound(N_("no file declares process %(process)s"), process=process_id)


def open_workspace(process_id: str, *, actor: Actor) -> Workspace:
    _require(actor)
    draft = _draft(process_id, actor)
    version = current_version(process_id)
    if draft is None and version is None:
        raise NotFound(N_("no process with id %(process)s"), process=process_id)
    files = dict(draft.files) if draft is not None else model_files(version.files)
    base = draft.base_version_id if draft is not None else version.id
    return Workspace(process_id, files, main_file(process_id, files), draft is not None, base,
                     lint.lint_app_files(files, [process_id]))


def save_draft(process_id: str, file_name: str, xml: str, *, actor: Actor) -> Workspace:
    """Save the designer's edit of one file of the process as their draft and lint the draft."""
    _require(actor)
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(N_("the diagram is empty"))
    if len(xml.encode()) > MAX_XML_BYTES:
        raise InvalidInput(N_("file is larger than %(limit)s KiB"), limit=MAX_XML_BYTES // 1024)
    workspace = open_workspace(process_id, actor=actor)
    if file_name not in workspace.files:
        raise NotFound(N_("the process has no file %(file)s"), file=file_name)
    files = {**workspace.files, file_name: xml}
    now = clock_now()
    with committing():
        draft = _draft(process_id, actor)
        if draft is None:
            draft = ProcessDraft(process_id=process_id, designer=actor.user_id,
                                 base_version_id=workspace.base_version_id)
            db.session.add(draft)
        draft.files, draft.updated_at = files, now
        log_event(actor=actor, action=EventAction.PROCESS_DRAFT_SAVED, now=now, process=process_id, file=file_name)
    return Workspace(process_id, files, workspace.main_file, True, workspace.base_version_id,
                     lint.lint_app_files(files, [process_id]))


def discard_draft(process_id: str, *, actor: Actor) -> None:
    _require(actor)
    with committing():
        draft = _draft(process_id, actor)
        if draft is not None:
            db.session.delete(draft)


def publish_dir() -> Path:
    return Path(current_app.config.get("CASEFLOW_PUBLISH_DIR") or deployment.workflows_dir())


def _write_file(directory: Path, name: str, text: str) -> Path:
    """Write a published file where the workflows directory keeps it (bpmn/ or dmn/), atomically."""
    existing = [directory / sub / name for sub in ("bpmn", "dmn") if (directory / sub / name).is_file()]
    target = existing[0] if existing else directory / ("bpmn" if name.endswith(".bpmn") else "dmn") / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                     suffix=".tmp") as handle:
        handle.write(text)
    os.replace(handle.name, target)
    return target


def publish(process_id: str, *, actor: Actor) -> tuple[ProcessVersion, bool]:
    """Publish the designer's draft: refuse it while lint finds an error (naming the element), deploy it as a
    version exactly as deploy does (its checks, all or nothing), write its files back, and drop the draft."""
    _require(actor)
    if not actor.may(Permission.DEPLOY):
        raise NotAllowed(N_("only process designers may deploy"))
    workspace = open_workspace(process_id, actor=actor)
    if not workspace.is_draft:
        raise InvalidInput(N_("there is no draft of %(process)s to publish"), process=process_id)
    if not workspace.report.ok:
        first = workspace.report.errors[0]
        raise InvalidSpec(N_("lint found %(count)s errors; the first: %(finding)s"), element=first.element,
                          file=first.file, count=len(workspace.report.errors), finding=first.text())
    version, created = deployment.deploy(workspace.files, process_id, actor=actor)
    directory = publish_dir()
    for name, text in sorted(workspace.files.items()):
        _write_file(directory, name, text)
    now = clock_now()
    with committing():
        draft = _draft(process_id, actor)
        if draft is not None:
            db.session.delete(draft)
        log_event(actor=actor, action=EventAction.VERSION_PUBLISHED, now=now, process=process_id,
                  version=version.sha256[:12], new=created)
    return version, created


def export_zip(version_id: int, *, actor: Actor) -> tuple[str, bytes]:
    """A version's files (BPMN, DMN and forms) as a zip for review in the repository."""
    _require(actor)
    version = db.session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound(N_("no process version %(version)s"), version=version_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(version.files.items()):
            archive.writestr(name if name.startswith("forms/") else
                             f"{'bpmn' if name.endswith('.bpmn') else 'dmn'}/{name}", text)
    return f"{version.process_id}-{version.sha256[:12]}.zip", buffer.getvalue()


# ---- comparing versions -----------------------------------------------------------------------------------------

def _signatures(text: str) -> dict[str, bytes]:
    """Each model element's own content by id (children with ids are compared on their own; layout is not)."""
    root = etree.fromstring(text.encode(), parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                                    remove_blank_text=True))
    found = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("id"):
            continue
        if element.tag.startswith(tuple("{" + ns for ns in _DI_NAMESPACES)):
            continue
        copy = etree.fromstring(etree.tostring(element))
        for child in list(copy):
            if isinstance(child.tag, str) and child.get("id"):
                copy.remove(child)
        found[element.get("id")] = etree.tostring(copy, method="c14n")
    return found


@dataclass(frozen=True)
class VersionDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]
    xml: dict[str, list[str]]  # file name → unified diff lines


def diff_versions(old_id: int, new_id: int, *, actor: Actor) -> VersionDiff:
    _require(actor)
    old, new = db.session.get(ProcessVersion, old_id), db.session.get(ProcessVersion, new_id)
    if old is None or new is None:
        raise NotFound(N_("no process version %(version)s"), version=old_id if old is None else new_id)
    old_files, new_files = model_files(old.files), model_files(new.files)
    before, after = {}, {}
    for text in old_files.values():
        before.update(_signatures(text))
    for text in new_files.values():
        after.update(_signatures(text))
    xml = {}
    for name in sorted(set(old_files) | set(new_files)):
        lines = list(difflib.unified_diff(old_files.get(name, "").splitlines(), new_files.get(name, "").splitlines(),
                                          f"{old.sha256[:12]}/{name}", f"{new.sha256[:12]}/{name}", lineterm=""))
        if lines:
            xml[name] = lines
    return VersionDiff(added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after)),
                       changed=sorted(i for i in set(before) & set(after) if before[i] != after[i]), xml=xml)


def versions_page(process_id: str, page: int | None, *, actor: Actor, size: int = PAGE_SIZE):
    """One page of a process's versions, newest first: (paging, versions)."""
    _require(actor)
    total = db.session.scalar(select(func.count()).select_from(ProcessVersion)
                              .where(ProcessVersion.process_id == process_id))
    if not total:
        raise NotFound(N_("no process with id %(process)s"), process=process_id)
    shown = paging(total, page, size)
    rows = db.session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                              .order_by(ProcessVersion.id.desc()).offset(shown.offset).limit(shown.size))
    return shown, list(rows)
