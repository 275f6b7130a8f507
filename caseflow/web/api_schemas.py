"""The /api/v1 request and response shapes (marshmallow): they validate what comes in and are the OpenAPI
document's schemas, so the document always says what the code does."""

from dataclasses import fields as dataclass_fields

from flask_babel import force_locale, gettext
from marshmallow import Schema, fields, validate

from caseflow.domain import labels
from caseflow.domain.enums import Degree, PostingState
from caseflow.services.reports import Figures
from caseflow.web.params import DB_INT_MAX, FIRST_YEAR, LAST_YEAR

Id = validate.Range(min=1, max=DB_INT_MAX)


class Day(fields.Date):
    """A date between the years the app handles (1900–2200)."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self.make_error("invalid")
        return day


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


class BpmnName(fields.String):
    """The English line of a BPMN element's bilingual name (domain.labels), its Chinese one if it has none."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else labels.text(value, "en")


def _chinese_name(obj) -> str:
    """The Chinese line, or the catalogue's Chinese for an English-only name (rows stored before bilingual names)."""
    name = obj.get("name") if isinstance(obj, dict) else obj.name
    with force_locale("zh"):
        return labels.text(name, "zh", gettext)


def chinese_name() -> fields.Function:
    return fields.Function(_chinese_name, metadata={"description": "The task's name in Chinese"})


class ApiError(Schema):
    error = fields.String(metadata={"description": "The kind of error, e.g. NotFound, Conflict"})
    message = fields.String(metadata={"description": "What went wrong, in the caller's language"})
    errors = fields.Dict(metadata={"description": "Field by field, where the request's fields were wrong"})


class PageArgs(Schema):
    page = fields.Integer(load_default=1, metadata={"description": "1-based; out of range shows the nearest page"})


class PageLinks(Schema):
    self = fields.String()
    first = fields.String()
    last = fields.String()
    prev = fields.String(allow_none=True)
    next = fields.String(allow_none=True)


class PageMeta(Schema):
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()
    per_page = fields.Integer()
    links = fields.Nested(PageLinks)


class Me(Schema):
    actor = fields.String(metadata={"description": "How this caller appears in the audit trail"})
    roles = fields.List(fields.String())
    region_code = fields.String()
    token = fields.Boolean(metadata={"description": "Authenticated by an API token (else by the session cookie)"})


# --- cases
class CaseSearchArgs(PageArgs):
    q = text(100, metadata={"description": "Part of the graduate's name, or the last four characters of the ID"})


class CaseRow(Schema):
    id = fields.Integer()
    name = fields.String()
    id_masked = fields.String()
    status = fields.String()
    region_code = fields.String()
    county_code = fields.String(allow_none=True)
    hardship_level = fields.Integer()
    handover_at = fields.DateTime()


class CasePage(PageMeta):
    items = fields.List(fields.Nested(CaseRow))


class OpenTask(Schema):
    id = fields.String()
    name = BpmnName(metadata={"description": "The task's name in English"})
    name_zh = chinese_name()
    lane = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)


class PlacementOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    employer = fields.String(allow_none=True)
    start_date = fields.Date()
    verified_how = fields.String(allow_none=True)
    verified_by = fields.String(allow_none=True)


class CaseOut(CaseRow):
    phone_masked = fields.String(allow_none=True)
    school = fields.String()
    major_name = fields.String()
    degree = fields.String()
    cohort = fields.Integer()
    caseworker_id = fields.Integer(allow_none=True)
    classification = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(OpenTask))
    placements = fields.List(fields.Nested(PlacementOut))


# --- tasks
class TaskListArgs(PageArgs):
    scope = fields.String(load_default="mine", validate=validate.OneOf(("mine", "team")),
                          metadata={"description": "mine: assigned to the caller; team: the team queue to claim from"})
    q = text(100, metadata={"description": "Part of the graduate's name, or the last four characters of the ID"})
    overdue = fields.Boolean(load_default=False)


class TaskRow(Schema):
    id = fields.String()
    name = BpmnName(metadata={"description": "The task's name in English"})
    name_zh = chinese_name()
    bpmn_id = fields.String()
    process_id = fields.String()
    lane = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    graduate_name = fields.String(allow_none=True)
    id_masked = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    badge = fields.String(metadata={"description": "on_track, due_soon or overdue"})


class TaskPage(PageMeta):
    items = fields.List(fields.Nested(TaskRow))


class FormField(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    choices = fields.List(fields.String())
    max_length = fields.Integer()


class TaskOut(TaskRow):
    state = fields.String()
    form = fields.List(fields.Nested(FormField), metadata={"description": "What `data` may hold to complete it"})


class CompleteIn(Schema):
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=100)), load_default=dict,
                       metadata={"description": "The task form's fields (see GET /tasks/{task_id})"})


class CompleteHeaders(Schema):
    idempotency_key = fields.String(data_key="Idempotency-Key", validate=validate.Length(min=1, max=100),
                                    metadata={"description": "The same key again replays the first answer"})


class CompleteOut(Schema):
    task_id = fields.String()
    instance_id = fields.Integer()
    replayed = fields.Boolean()
    next_tasks = fields.List(fields.String())


# --- postings
class PostingListArgs(PageArgs):
    q = text(100, metadata={"description": "Part of the employer or the title"})
    state = fields.String(validate=validate.OneOf([state.value for state in PostingState]))
    area = text(12)


class PostingIn(Schema):
    employer = text(100, required=True)
    title = text(100, required=True)
    area_code = text(12, required=True)
    industry = text(50)
    major_prefixes = fields.List(text(12), validate=validate.Length(max=50))
    min_degree = fields.String(validate=validate.OneOf([degree.value for degree in Degree]))
    salary_min = fields.Integer(validate=validate.Range(min=0, max=DB_INT_MAX))
    salary_max = fields.Integer(validate=validate.Range(min=0, max=DB_INT_MAX))
    open_until = Day(required=True)


class PostingOut(Schema):
    id = fields.Integer()
    employer = fields.String()
    title = fields.String()
    area_code = fields.String()
    industry = fields.String(allow_none=True)
    major_prefixes = fields.List(fields.String())
    min_degree = fields.String(allow_none=True)
    salary_min = fields.Integer(allow_none=True)
    salary_max = fields.Integer(allow_none=True)
    open_until = fields.Date()
    state = fields.String()
    closed_at = fields.DateTime(allow_none=True)


class PostingPage(PageMeta):
    items = fields.List(fields.Nested(PostingOut))


class PostingImportIn(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class PostingImportArgs(Schema):
    check_only = fields.Boolean(load_default=False, metadata={"description": "Check the file, add nothing"})


class RefusedRow(Schema):
    row = fields.Integer()
    field = fields.String(allow_none=True)
    reason = fields.String()
    detail = fields.String(allow_none=True)


class PostingImportOut(Schema):
    file_name = fields.String()
    total = fields.Integer()
    accepted = fields.Integer()
    refused_rows = fields.Integer()
    imported = fields.Integer()
    check_only = fields.Boolean()
    refused = fields.List(fields.Nested(RefusedRow))


# --- messages
class ContactDetailsIn(Schema):
    case_id = fields.Integer(required=True, validate=Id)
    phone = text(20, allow_none=True, metadata={"description": "The graduate's new phone, digits only"})


class Delivered(Schema):
    delivered = fields.Integer(metadata={"description": "How many waiting workflows caught the message"})


class EmploymentMatchIn(Schema):
    id_number = text(30, required=True, metadata={"description": "The graduate's full ID number"})
    employer = text(100, required=True)
    insured_from = Day(required=True, metadata={"description": "First month of contributions"})


class EmploymentMatchOut(Schema):
    case_id = fields.Integer()
    placement_id = fields.Integer()
    new_placement = fields.Boolean(metadata={"description": "False: an existing placement was verified"})
    journey_told = fields.Boolean(metadata={"description": "The case's journey waited for the placement"})
    verified_how = fields.String()


# --- indicators
class IndicatorArgs(Schema):
    region = text(12, metadata={"description": "An area code inside the caller's region (default: the caller's)"})
    on = Day(metadata={"description": "The report date (default: today, Beijing time)"})


FiguresOut = Schema.from_dict(
    {item.name: (fields.String(allow_none=True) if item.name in ("key", "label")
                 else fields.Float() if item.type in (float, "float") else fields.Integer())
     for item in dataclass_fields(Figures)}, name="Figures")


class TrendOut(Schema):
    month_end = fields.Date()
    handed_over = fields.Integer()
    reached = fields.Integer()
    ever_seeking = fields.Integer()
    helped = fields.Integer()


class IndicatorsOut(Schema):
    region = fields.String()
    region_name = fields.String()
    on = fields.Date()
    level = fields.String(metadata={"description": "What the rows are: city, county, caseworker"})
    target = fields.Float()
    total = fields.Nested(FiguresOut)
    known_now = fields.Nested(FiguresOut, allow_none=True,
                              metadata={"description": "For a past date: the total as the records known now say"})
    rows = fields.List(fields.Nested(FiguresOut))
    trend = fields.List(fields.Nested(TrendOut))


class LedgerUploadArgs(Schema):
    cohort = fields.Integer(required=True, metadata={"description": "The graduating year the ledger hands over"})


class LedgerUploadIn(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class LedgerBatchOut(Schema):
    batch = fields.Integer()
    file_name = fields.String()
    cohort = fields.Integer()
    status = fields.String(metadata={"description": "queued, previewed, committed, discarded, rejected …"})
    kind = fields.String(metadata={"description": "The job that runs or ran last: preview or commit"})
    state = fields.String(metadata={"description": "queued, running, done or interrupted"})
    interrupted = fields.Boolean()
    working = fields.Boolean(metadata={"description": "A job waits or runs: poll again"})
    rows_done = fields.Integer()
    rows_expected = fields.Integer(allow_none=True)
    percent = fields.Integer(allow_none=True)
    total_rows = fields.Integer(allow_none=True)
    accepted_rows = fields.Integer(allow_none=True)
    rejected_rows = fields.Integer(allow_none=True)


class LedgerBatchPage(PageMeta):
    items = fields.List(fields.Nested(LedgerBatchOut))


class RefusedRowPage(PageMeta):
    items = fields.List(fields.Nested(RefusedRow))
