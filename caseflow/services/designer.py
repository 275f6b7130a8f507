"""The process designer's workspace: a draft per designer and process, linted on every save, published as a
version exactly as deploy makes one (all or nothing, the same checks), written back to the workflows files; the
versions of a process with who deployed them and how many instances run on each; a diff between two versions."""

import dataclasses
import difflib
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from lxml import etree
from sqlalchemy import func, select

from caseflow.domain import labels as bpmn_labels
from caseflow.domain.actor import LANES, Actor
from caseflow.domain.enums import EventAction
from caseflow.domain.forms import FormSpec, parse_form
from caseflow.domain.paging import PAGE_SIZE, paging
from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, InvalidSpec, NotAllowed, NotFound
from caseflow.extensions import db
from caseflow.models import ProcessDraft, ProcessVersion
from caseflow.services import deployment, lint
from caseflow.services.clock import now as clock_now
from caseflow.services.workflow import committing, log_event
from caseflow.tasks import load_handlers

MODEL_FILES = (".bpmn", ".dmn")
FORMS_DIR = "forms/"  # as a version stores them (engine.FORMS_DIR)
FORM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_FORM_BYTES = 256 * 1024
_FORM_KEY_PROPERTY = re.compile(r'<spiffworkflow:property\s+name="formKey"\s+value="([^"]*)"')
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


def _workspace_files(process_id: str, actor: Actor) -> tuple[dict[str, str], ProcessDraft | None, int | None]:
    """The files the designer works on (their draft's, else the current version's), the draft, the base version."""
    _require(actor)
    draft = _draft(process_id, actor)
    version = current_version(process_id)
    if draft is None and version is None:
        raise NotFound(N_("no process with id %(process)s"), process=process_id)
    if draft is not None:
        return dict(draft.files), draft, draft.base_version_id
    return model_files(version.files), None, version.id


def open_workspace(process_id: str, *, actor: Actor) -> Workspace:
    files, draft, base = _workspace_files(process_id, actor)
    return Workspace(process_id, files, main_file(process_id, files), draft is not None, base,
                     lint_files(files, process_id))


def save_draft(process_id: str, file_name: str, xml: str, *, actor: Actor) -> Workspace:
    """Save the designer's edit of one file of the process as their draft and lint the draft."""
    _require(actor)
    if not isinstance(xml, str) or not xml.strip():
        raise InvalidInput(N_("the diagram is empty"))
    if len(xml.encode()) > MAX_XML_BYTES:
        raise InvalidInput(N_("file is larger than %(limit)s KiB"), limit=MAX_XML_BYTES // 1024)
    workspace = open_workspace(process_id, actor=actor)
    if file_name not in model_files(workspace.files):
        raise NotFound(N_("the process has no file %(file)s"), file=file_name)
    return _store_draft(workspace, file_name, xml, actor)


def _store_draft(workspace: Workspace, file_name: str, text: str, actor: Actor) -> Workspace:
    """Store one file of the designer's draft (started from the workspace's files) and lint the draft."""
    process_id = workspace.process_id
    files = {**workspace.files, file_name: text}
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
                     lint_files(files, process_id))


def draft_forms(files: dict[str, str]) -> dict[str, str]:
    """The forms a draft holds ({key: JSON text}), stored among its files as forms/<key>.json."""
    return {name[len(FORMS_DIR):-len(".json")]: text for name, text in files.items()
            if name.startswith(FORMS_DIR) and name.endswith(".json")}


def lint_files(files: dict[str, str], process_id: str) -> lint.Report:
    """Lint a workspace: its BPMN and DMN with the app's rules, where the draft's forms count as known forms, and
    each of the draft's forms (a form that does not read is a finding naming its file and field)."""
    forms = draft_forms(files)
    found = lint.Report()
    for key, text in sorted(forms.items()):
        try:
            parse_form_text(key, text)
        except InvalidInput as exc:
            found.add(lint.ERROR, exc.message, file=f"{FORMS_DIR}{key}.json", **exc.params)
    rules = lint.app_rules()
    known = dataclasses.replace(rules.known, forms=set(rules.known.forms or ()) | set(forms))
    report = lint.lint(model_files(files), dataclasses.replace(rules, known=known), [process_id])
    report.findings[:0] = found.findings
    return report


def discard_draft(process_id: str, *, actor: Actor) -> None:
    _require(actor)
    with committing():
        draft = _draft(process_id, actor)
        if draft is not None:
            db.session.delete(draft)


def publish_dir() -> Path:
    return Path(current_app.config.get("CASEFLOW_PUBLISH_DIR") or deployment.workflows_dir())


def _target(directory: Path, name: str) -> Path:
    """Where the workflows directory keeps a published BPMN or DMN file (bpmn/ or dmn/)."""
    existing = [directory / sub / name for sub in ("bpmn", "dmn") if (directory / sub / name).is_file()]
    return existing[0] if existing else directory / ("bpmn" if name.endswith(".bpmn") else "dmn") / name


def _stage(targets: dict[Path, str]) -> list[tuple[Path, Path]]:
    """Write every file beside its target under a temporary name: a directory that cannot be written fails here,
    before anything is deployed. Returns (temporary, target) pairs for `_put_in_place`."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in targets.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                             suffix=".tmp") as handle:
                staged.append((Path(handle.name), target))
                handle.write(text)
    except OSError as exc:
        _discard(staged)
        raise InvalidInput(N_("the workflows directory cannot be written (%(reason)s); nothing was published"),
                           reason=exc.strerror or str(exc)) from exc
    return staged


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for temporary, _target_path in staged:
        temporary.unlink(missing_ok=True)


def _put_in_place(staged: list[tuple[Path, Path]]) -> None:
    for temporary, target in staged:
        os.replace(temporary, target)  # a rename within one directory: atomic


def publish(process_id: str, *, actor: Actor) -> tuple[ProcessVersion, bool]:
    """Publish the designer's draft: refuse it while lint finds an error (naming the element), write its files
    beside their places in the workflows directory (a directory that cannot be written refuses the publish before
    anything is deployed), deploy it as a version exactly as deploy does (its checks, all or nothing), move the
    files into place, and drop the draft."""
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
    forms = draft_forms(workspace.files)
    directory = publish_dir()
    staged = _stage({**{_target(directory, name): text for name, text in sorted(model_files(workspace.files).items())},
                     **{directory / "forms" / f"{key}.json": text for key, text in sorted(forms.items())}})
    try:
        version, created = deployment.deploy(model_files(workspace.files), process_id, actor=actor, forms=forms)
    except BaseException:
        _discard(staged)
        raise
    _put_in_place(staged)
    if forms and directory.resolve() == deployment.workflows_dir().resolve():
        deployment.forget_forms()
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


# ---- what the properties panel offers, and the forms editor ----------------------------------------------------

TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")


def options(process_id: str, *, actor: Actor) -> dict:
    """The values the modeler's properties panel offers, exactly those lint accepts: the forms (the workflows
    directory's and the designer's draft's), the registered service operations, the lane names that map to a role,
    and the timer kinds."""
    files, _draft_row, _base = _workspace_files(process_id, actor)  # no lint: the page linted the draft already
    forms = {key: form.title for key, form in deployment.list_forms().items()}
    for key, text in draft_forms(files).items():
        try:
            forms[key] = parse_form_text(key, text).title
        except InvalidInput:
            forms[key] = {"en": key}
    return {"forms": [{"key": key, "title": dict(title)} for key, title in sorted(forms.items())],
            "operations": sorted(load_handlers()), "roles": list(LANES), "lane_names": lane_names(),
            "timer_kinds": list(TIMER_KINDS)}


def lane_names() -> dict[str, str]:
    """The bilingual name a lane of each role gets ('就业服务专员\nCaseworker'), its Chinese line from the catalogue."""
    return {role: bpmn_labels.join(lint.zh_name(role.capitalize()), role.capitalize()) for role in LANES}


def parse_form_text(key: str, text: str) -> FormSpec:
    """A form from its JSON text, or InvalidInput saying what is wrong: the JSON's line and column, or the form's
    field (parse_form names it)."""
    if not FORM_KEY.match(key or ""):
        raise InvalidInput(N_("a form key is lower-case letters, digits and _ (not %(key)s)"), key=str(key)[:80])
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(N_("form %(key)s is empty"), key=key)
    if len(text.encode()) > MAX_FORM_BYTES:
        raise InvalidInput(N_("form %(key)s is larger than %(limit)s KiB"), key=key, limit=MAX_FORM_BYTES // 1024)
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(N_("form %(key)s is not valid JSON: %(reason)s"), key=key, reason=str(exc)) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("fields", []), list):
        raise InvalidInput(N_("form %(key)s must be an object with a list of fields"), key=key)
    if not all(isinstance(field, dict) for field in raw.get("fields", [])):
        raise InvalidInput(N_("form %(key)s: every field must be an object"), key=key)
    try:
        form = parse_form(key, raw)
    except (ValueError, KeyError, TypeError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InvalidInput(N_("form definition is invalid: %(reason)s"), reason=reason) from exc
    _check_bilingual(form)
    return form


def _check_bilingual(form: FormSpec) -> None:
    """Every text a caseworker reads is in Chinese (the default language) and in English."""
    def complete(labels) -> bool:
        return all(str(labels.get(language) or "").strip() for language in ("zh", "en"))

    if not complete(form.title):
        raise InvalidInput(N_("form %(key)s: the title needs both Chinese (zh) and English (en)"), key=form.key)
    for field in form.fields:
        if not complete(field.label):
            raise InvalidInput(N_("form %(key)s: the label of field %(field)s needs both Chinese (zh) and English "
                                  "(en)"), key=form.key, field=field.name)
        for value, labels in field.choices:
            if not complete(labels):
                raise InvalidInput(N_("form %(key)s: choice %(choice)s of field %(field)s needs both Chinese (zh) "
                                      "and English (en)"), key=form.key, field=field.name, choice=value)


def process_forms(workspace: Workspace) -> list[str]:
    """The forms of the process: those its user tasks name, and those the draft holds."""
    keys = set(draft_forms(workspace.files))
    for name, text in model_files(workspace.files).items():
        if name.endswith(".bpmn"):
            keys.update(_FORM_KEY_PROPERTY.findall(text))
    return sorted(key for key in keys if FORM_KEY.match(key))


def form_text(workspace: Workspace, key: str) -> str | None:
    """A form's JSON as the designer edits it: the draft's, else the current version's, else the workflows
    directory's; None for a new form."""
    drafted = draft_forms(workspace.files).get(key)
    if drafted is not None:
        return drafted
    version = current_version(workspace.process_id)
    stored = (version.files if version is not None else {}).get(f"{FORMS_DIR}{key}.json")
    if stored is not None:
        return stored
    path = deployment.workflows_dir() / "forms" / f"{key}.json"
    return path.read_text(encoding="utf-8") if FORM_KEY.match(key or "") and path.is_file() else None


def save_form(process_id: str, key: str, text: str, *, actor: Actor) -> Workspace:
    """Save a form into the designer's draft (refused, naming the field, unless it reads) and lint the draft."""
    _require(actor)
    parse_form_text(key, text)
    workspace = open_workspace(process_id, actor=actor)
    return _store_draft(workspace, f"{FORMS_DIR}{key}.json", text, actor)
