"""The integration API, /api/v1: cases, tasks, postings, messages and indicators as JSON, described by an OpenAPI 3
document generated from these views (flask-smorest) and shown at /api/v1/docs.

A caller authenticates with an API token (`Authorization: Bearer cf_…`, see services/api_tokens.py) or, from the
web UI, with the session cookie; a cookie-authenticated change must carry the CSRF token (X-CSRFToken header).
Every view calls the same services as the pages, so region scope, permissions, masking, audit and idempotency
are theirs."""

from dataclasses import asdict

from flask import Blueprint as FlaskBlueprint
from flask import abort, current_app, g, render_template, request, send_from_directory, url_for
from flask.views import MethodView
from flask_smorest import Api, Blueprint

from caseflow.config import PROJECT_DIR
from caseflow.domain.forms import FormSpec
from caseflow.domain.paging import PAGE_SIZE
from caseflow.domain.schedule import beijing_day
from caseflow.errors import N_, InvalidInput
from caseflow.extensions import csrf
from caseflow.services import (
    api_tokens,
    case_view,
    deployment,
    inbox,
    instances,
    integrations,
    ledger_upload,
    posting_import,
    postings,
    reports,
)
from caseflow.services.clock import now as clock_now
from caseflow.web import api_schemas as s
from caseflow.web import params
from caseflow.web.params import CONVERTERS
from caseflow.web.session import current_actor

PREFIX = "/api/v1"
TOKEN_SCHEME = "bearerAuth"
COOKIE_SCHEME = "cookieAuth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ERRORS = {400: "The request is malformed or a value is wrong", 401: "No valid API token or session",
          403: "The caller's role or region does not allow this", 404: "Not found (or outside the caller's region)",
          409: "A conflict: already done, or changed meanwhile", 422: "A field is missing or of the wrong kind"}


class CaseflowApi(Api):
    """flask-smorest without its own error handler: the app's handler answers every error (web/__init__.py)."""

    def _register_error_handlers(self):
        return None


bp = Blueprint("api_v1", __name__, url_prefix=PREFIX, description="Caseflow integration API")
csrf.exempt(bp)  # token requests need none; cookie requests are checked below


def bearer_secret() -> str | None:
    """The token an Authorization header presents, if any."""
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


FORM_SLACK = 64 * 1024  # the multipart envelope around an uploaded file
UPLOAD_LIMITS = {"api_v1.import_postings": "CASEFLOW_POSTING_IMPORT_MAX_BYTES",
                 "api_v1.LedgerBatchesView": "CASEFLOW_LEDGER_UPLOAD_MAX_BYTES"}


def _bounded(file) -> bytes:
    """The uploaded file's content within the endpoint's configured bound (UPLOAD_LIMITS)."""
    limit = current_app.config[UPLOAD_LIMITS[request.endpoint]]
    data = file.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput(N_("the file is larger than %(max)s bytes"), max=limit)
    return data


@bp.before_request
def _cookie_requests_carry_csrf():
    if request.endpoint in UPLOAD_LIMITS:  # bounded before the body is read
        request.max_content_length = current_app.config[UPLOAD_LIMITS[request.endpoint]] + FORM_SLACK
    if request.method not in SAFE_METHODS and g.get("api_actor") is None:
        csrf.protect()


def _documented(tag: str, status: int, schema, *errors: int):
    """The view's resource, answer and the errors it may give, in the OpenAPI document."""
    def wrap(view):
        view = bp.doc(tags=[tag])(bp.response(status, schema)(view))
        for code in (401, *errors):
            view = bp.alt_response(code, schema=s.ApiError, description=ERRORS[code])(view)
        return view
    return wrap


def _page(items: list, page, endpoint: str, **args) -> dict:
    def link(number: int) -> str:
        return url_for(endpoint, **{k: v for k, v in args.items() if v not in (None, "", False)}, page=number)
    return {"items": items, "page": page.page, "pages": page.pages, "total": page.total, "per_page": PAGE_SIZE,
            "links": {"self": link(page.page), "first": link(1), "last": link(page.pages),
                      "prev": link(page.page - 1) if page.page > 1 else None,
                      "next": link(page.page + 1) if page.page < page.pages else None}}


@bp.route("/me")
class MeView(MethodView):
    @_documented("me", 200, s.Me)
    def get(self):
        """Who the caller is: the actor, roles and region a token or session acts as."""
        actor = current_actor()
        return {"actor": actor.user_id, "roles": sorted(actor.roles), "region_code": actor.region_code,
                "token": g.get("api_actor") is not None}


# --- cases
def _case_row(case, graduate) -> dict:
    return {"id": case.id, "name": graduate.name, "id_masked": graduate.id_masked, "status": case.status,
            "region_code": case.region_code, "county_code": case.county_code, "hardship_level": case.hardship_level,
            "handover_at": case.handover_at}


@bp.route("/cases")
class CasesView(MethodView):
    @bp.arguments(s.CaseSearchArgs, location="query", as_kwargs=True)
    @_documented("cases", 200, s.CasePage, 400)
    def get(self, page: int, q: str | None = None):
        """Search the cases of the caller's region (ID numbers and phones masked), newest first, 50 a page."""
        found = case_view.search_cases(current_actor(), q, page=page)
        return _page([_case_row(case, graduate) for case, graduate in found.rows], found, "api_v1.CasesView", q=q)


@bp.route("/cases/<int:case_id>")
class CaseView(MethodView):
    @_documented("cases", 200, s.CaseOut, 404)
    def get(self, case_id: int):
        """One case file, masked; the read is recorded in the audit trail."""
        view = case_view.case_file(case_id, actor=current_actor())
        case, graduate = view.case, view.graduate
        return {**_case_row(case, graduate), "phone_masked": graduate.phone_masked, "school": graduate.school,
                "major_name": graduate.major_name, "degree": graduate.degree, "cohort": graduate.cohort,
                "caseworker_id": case.caseworker_id,
                "classification": view.classification.status if view.classification else None,
                "open_tasks": view.open_tasks, "placements": view.placements}


# --- tasks
def _form_fields(form: FormSpec | None) -> list[dict]:
    return [{"name": f.name, "type": f.type, "required": f.required, "choices": [value for value, _ in f.choices],
             "max_length": f.max_length} for f in (form.fields if form else ())]


def _task_row(task, **extra) -> dict:
    return {"id": task.id, "name": task.name, "bpmn_id": task.bpmn_id, "process_id": task.process_id,
            "lane": task.lane, "assignee": task.assignee, "case_id": task.case_id, "due_at": task.due_at, **extra}


@bp.route("/tasks")
class TasksView(MethodView):
    @bp.arguments(s.TaskListArgs, location="query", as_kwargs=True)
    @_documented("tasks", 200, s.TaskPage, 400)
    def get(self, page: int, scope: str, overdue: bool, q: str | None = None):
        """The caller's tasks (scope=mine) or the team queue to claim from (scope=team), soonest due first."""
        found = inbox.list_inbox(current_actor(), inbox.InboxQuery(scope=scope, search=q, overdue=overdue,
                                                                   page=page))
        items = [_task_row(row.task, graduate_name=row.graduate_name, id_masked=row.id_masked, badge=row.badge)
                 for row in found.rows]
        return _page(items, found, "api_v1.TasksView", scope=scope, q=q, overdue=overdue)


@bp.route("/tasks/<task:task_id>")
class TaskView(MethodView):
    @_documented("tasks", 200, s.TaskOut, 404)
    def get(self, task_id: str):
        """One task and the fields its form takes."""
        task = instances.get_task_or_raise(task_id, current_actor())
        subject = case_view.task_subject(task) or (None, None)
        return _task_row(task, graduate_name=subject[0], id_masked=subject[1], state=task.state,
                         badge=inbox.due_badge(task.due_at, clock_now()),
                         form=_form_fields(deployment.task_form(task)))


@bp.route("/tasks/<task:task_id>/claim", methods=["POST"])
@_documented("tasks", 200, s.TaskOut, 403, 404, 409)
def claim_task(task_id: str):
    """Take a task from the team queue; 409 when someone claimed it first."""
    task = inbox.claim_task(task_id, actor=current_actor())
    return _task_row(task, state=task.state, form=_form_fields(deployment.task_form(task)))


@bp.route("/tasks/<task:task_id>/release", methods=["POST"])
@_documented("tasks", 200, s.TaskOut, 403, 404)
def release_task(task_id: str):
    """Put a task the caller holds back into the team queue."""
    actor = current_actor()
    inbox.release_task(task_id, actor=actor)
    task = instances.get_task_or_raise(task_id, actor)
    return _task_row(task, state=task.state, form=[])


@bp.route("/tasks/<task:task_id>/complete", methods=["POST"])
@bp.arguments(s.CompleteIn)
@bp.arguments(s.CompleteHeaders, location="headers", as_kwargs=True)
@_documented("tasks", 200, s.CompleteOut, 400, 403, 404, 409, 422)
def complete_task(body: dict, task_id: str, idempotency_key: str | None = None):
    """Complete a task with its form's fields. Send an Idempotency-Key: a retry with the same key and body
    replays the first answer instead of failing."""
    done = instances.complete_task(task_id, actor=current_actor(), data=body["data"],
                                   idempotency_key=idempotency_key)
    return {"task_id": done.task_id, "instance_id": done.instance_id, "replayed": done.replayed,
            "next_tasks": list(done.next_tasks)}


# --- postings
def _posting(posting, day) -> dict:
    return {**{column: getattr(posting, column) for column in (
        "id", "employer", "title", "area_code", "industry", "major_prefixes", "min_degree", "salary_min",
        "salary_max", "open_until", "closed_at")}, "state": postings.state_of(posting, day)}


@bp.route("/postings")
class PostingsView(MethodView):
    @bp.arguments(s.PostingListArgs, location="query", as_kwargs=True)
    @_documented("postings", 200, s.PostingPage, 400, 403)
    def get(self, page: int, q: str | None = None, state: str | None = None, area: str | None = None):
        """The job postings of the caller's region, newest first."""
        found = postings.list_postings(current_actor(), postings.PostingQuery(area=area, state=state, text=q,
                                                                              page=page))
        return _page([_posting(row, found.today) for row in found.rows], found, "api_v1.PostingsView", q=q,
                     state=state, area=area)

    @bp.arguments(s.PostingIn)
    @_documented("postings", 201, s.PostingOut, 400, 403, 422)
    def post(self, body: dict):
        """Add a job posting in the caller's region (the same checks as the register's form)."""
        values = {key: ", ".join(value) if key == "major_prefixes" else value for key, value in body.items()}
        posting = postings.create_posting({key: str(value) for key, value in values.items()}, actor=current_actor())
        return _posting(posting, postings.today())


@bp.route("/postings/<int:posting_id>")
class PostingView(MethodView):
    @_documented("postings", 200, s.PostingOut, 403, 404)
    def get(self, posting_id: int):
        """One job posting."""
        return _posting(postings.get_posting_or_raise(posting_id, current_actor()), postings.today())


@bp.route("/postings/<int:posting_id>/close", methods=["POST"])
@_documented("postings", 200, s.PostingOut, 403, 404, 409)
def close_posting(posting_id: int):
    """Close a posting before its closing date; 409 when it is closed already."""
    return _posting(postings.close_posting(posting_id, actor=current_actor()), postings.today())


@bp.route("/postings/import", methods=["POST"])
@params.reads_its_own_body
@bp.arguments(s.PostingImportArgs, location="query", as_kwargs=True)
@bp.arguments(s.PostingImportIn, location="files", as_kwargs=True)
@_documented("postings", 200, s.PostingImportOut, 400, 403, 422)
def import_postings(check_only: bool, file):
    """Import a posting list (XLSX or CSV, as on the register's import page): every row is checked, and the
    postings are added only when no row is refused (each refused row is listed with its reason)."""
    actor = current_actor()
    postings.check_editor(actor)
    data = _bounded(file)
    report = posting_import.import_postings(data, file_name=file.filename or "postings", actor=actor,
                                            check_only=check_only)
    return {**asdict(report), "refused": [{"row": row, "field": error.field, "reason": error.reason,
                                           "detail": error.detail} for row, error in report.refused]}


# --- ledger batches
def _ledger_batch(upload) -> dict:
    return {**upload.progress(), "file_name": upload.batch.file_name, "cohort": upload.batch.cohort}


@bp.route("/ledger-batches")
class LedgerBatchesView(MethodView):
    @bp.arguments(s.PageArgs, location="query", as_kwargs=True)
    @_documented("ledger batches", 200, s.LedgerBatchPage, 400, 403)
    def get(self, page: int):
        """The ledgers uploaded for the caller's region, newest first, with their jobs' state."""
        found = ledger_upload.list_uploads(current_actor(), page)
        return _page([_ledger_batch(upload) for upload in found.uploads], found.paging, "api_v1.LedgerBatchesView")

    @params.reads_its_own_body
    @bp.arguments(s.LedgerUploadArgs, location="query", as_kwargs=True)
    @bp.arguments(s.LedgerUploadIn, location="files", as_kwargs=True)
    @_documented("ledger batches", 202, s.LedgerBatchOut, 400, 403, 422)
    def post(self, cohort: int, file):
        """Upload a real-name ledger (XLSX or CSV, as the handover page takes it): it is stored encrypted and
        checked in the background with the handover's validation; poll the batch until it is previewed, read its
        refused rows, then commit or discard it."""
        actor = current_actor()
        ledger_upload.check_importer(actor)
        data = _bounded(file)
        batch = ledger_upload.start_upload(data, file_name=file.filename or "ledger", cohort=cohort, actor=actor)
        return _ledger_batch(ledger_upload.get_upload(batch.id, actor))


@bp.route("/ledger-batches/<int:batch_id>")
class LedgerBatchView(MethodView):
    @_documented("ledger batches", 200, s.LedgerBatchOut, 403, 404)
    def get(self, batch_id: int):
        """One uploaded ledger: its status, its job's progress and its counts."""
        return _ledger_batch(ledger_upload.get_upload(batch_id, current_actor()))


@bp.route("/ledger-batches/<int:batch_id>/refused")
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@_documented("ledger batches", 200, s.RefusedRowPage, 403, 404)
def ledger_refused(batch_id: int, page: int):
    """The preview's refused rows in file order, each with its column and reason, a page at a time."""
    found = ledger_upload.rejections_page(batch_id, current_actor(), page)
    rows = [{"row": row.row_number, "field": row.field, "reason": row.reason, "detail": row.detail}
            for row in found.rows]
    return _page(rows, found.paging, "api_v1.ledger_refused", batch_id=batch_id)


@bp.route("/ledger-batches/<int:batch_id>/commit", methods=["POST"])
@_documented("ledger batches", 202, s.LedgerBatchOut, 403, 404, 409)
def commit_ledger(batch_id: int):
    """Commit a previewed ledger (a background job, all or nothing): its accepted rows become cases."""
    return _ledger_batch(ledger_upload.request_commit(batch_id, current_actor()))


@bp.route("/ledger-batches/<int:batch_id>/discard", methods=["POST"])
@_documented("ledger batches", 200, s.LedgerBatchOut, 403, 404, 409)
def discard_ledger(batch_id: int):
    """Discard an uploaded ledger that is not committed; its encrypted file is deleted."""
    return _ledger_batch(ledger_upload.discard(batch_id, current_actor()))


# --- messages
@bp.route("/messages/contact-details", methods=["POST"])
@bp.arguments(s.ContactDetailsIn)
@_documented("messages", 200, s.Delivered, 400, 403, 404, 409, 422)
def contact_details(body: dict):
    """The education department's answer to a contact-details request: the case's contact round stops waiting,
    and a new phone is kept (encrypted) on the graduate. 409 when the case does not wait for it."""
    delivered = integrations.receive_contact_details(body["case_id"], phone=body.get("phone"),
                                                     actor=current_actor())
    return {"delivered": delivered}


@bp.route("/messages/employment-match", methods=["POST"])
@bp.arguments(s.EmploymentMatchIn)
@_documented("messages", 200, s.EmploymentMatchOut, 400, 403, 404, 409, 422)
def employment_match(body: dict):
    """The social-insurance bureau's match: contributions found for a graduate. The case's latest placement is
    marked verified by social insurance; a graduate not yet placed gets a verified placement and the journey
    waiting for it moves on."""
    match = integrations.match_employment(body["id_number"], employer=body["employer"],
                                          insured_from=body["insured_from"], actor=current_actor())
    return {**asdict(match), "verified_how": integrations.SOCIAL_INSURANCE}


# --- indicators
@bp.route("/indicators")
class IndicatorsView(MethodView):
    @bp.arguments(s.IndicatorArgs, location="query", as_kwargs=True)
    @_documented("indicators", 200, s.IndicatorsOut, 400, 403, 404)
    def get(self, region: str | None = None, on=None):
        """Every indicator of a region at the end of a day, as known then (and, for a past day, as known now)."""
        report = reports.indicators(current_actor(), region=region, on=on or beijing_day(clock_now()))
        return asdict(report)


def register(app) -> None:
    """Set up the OpenAPI document and register the blueprint (after the app's URL converters)."""
    app.config.setdefault("API_TITLE", "Caseflow integration API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {
            TOKEN_SCHEME: {"type": "http", "scheme": "bearer",
                           "description": "An API token: flask caseflow tokens add NAME --role … --region …"},
            COOKIE_SCHEME: {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The web UI's session; changes also need the X-CSRFToken header"}}},
        "security": [{TOKEN_SCHEME: []}, {COOKIE_SCHEME: []}],
        "info": {"description": "Cases, tasks, postings, messages and indicators for integrations."}})
    api = CaseflowApi(app)
    schemas = {"int": {"type": "integer", "minimum": 1, "maximum": s.DB_INT_MAX},
               "task": {"type": "string", "pattern": f"^{CONVERTERS['task'].regex}$"},
               "name": {"type": "string", "pattern": f"^{CONVERTERS['name'].regex}$"}}
    for name, converter in CONVERTERS.items():
        api.register_converter(converter, lambda _converter, schema=schemas[name]: schema)
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)


def authenticate_request() -> bool | None:
    """For an /api/ request with a bearer token: True when it names a live token (the request then acts as the
    token's actor), False when it does not; None without one."""
    secret = bearer_secret()
    if secret is None:
        return None
    actor = api_tokens.authenticate(secret)
    g.api_actor = actor
    return actor is not None


docs_bp = FlaskBlueprint("api_v1_docs", __name__, url_prefix=PREFIX)
SWAGGER_UI_DIR = PROJECT_DIR / "node_modules" / "swagger-ui-dist"
SWAGGER_UI_FILES = {"swagger-ui.css", "swagger-ui-bundle.js"}


@docs_bp.get("/docs")
def docs():
    """Interactive documentation (Swagger UI, served from node_modules like the diagram viewer)."""
    return render_template("api/docs.html", spec_url=url_for("api-docs.openapi_json"))


@docs_bp.get("/docs/<name:name>.<any(js, css):ext>")
def docs_asset(name: str, ext: str):
    file_name = f"{name}.{ext}"
    if file_name not in SWAGGER_UI_FILES or not SWAGGER_UI_DIR.is_dir():
        abort(404)
    return send_from_directory(SWAGGER_UI_DIR, file_name, max_age=86400)
