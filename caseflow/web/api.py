"""JSON endpoints for programs: complete a task, deliver a message."""

from flask import Blueprint, jsonify, request

from caseflow.domain.permissions import Permission
from caseflow.errors import N_, InvalidInput, NotAllowed, NotFound
from caseflow.extensions import csrf
from caseflow.services import instances
from caseflow.web import params
from caseflow.web.session import current_actor

bp = Blueprint("api", __name__, url_prefix="/api")


EXTERNAL_MESSAGES = {"contact_details_received"}
MAX_KEY = 100  # an instance's correlation key column


class UnsupportedBody(InvalidInput):
    http_status = 415

csrf.exempt(bp)


def _json_body() -> dict:
    if not request.is_json:  # a cross-site HTML form cannot send JSON, so the session cookie alone is safe here
        raise UnsupportedBody(N_("send a JSON body (Content-Type: application/json)"))
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidInput(N_("the request body must be a JSON object"))
    return body


@bp.post("/tasks/<task:task_id>/complete")
def complete_task(task_id: str):
    body = _json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidInput(N_("'data' must be a JSON object"))
    done = instances.complete_task(task_id, actor=current_actor(), data=data,
                                   idempotency_key=request.headers.get("Idempotency-Key"))
    return jsonify(task_id=done.task_id, instance_id=done.instance_id, replayed=done.replayed,
                   next_tasks=list(done.next_tasks))


@bp.post("/messages/<name:name>")
def deliver_message(name: str):
    """For integrations (e.g. the education department answering a contact-details request)."""
    actor = current_actor()
    if not actor.may(Permission.DELIVER_MESSAGES):
        raise NotAllowed(N_("only supervisors and integrations may deliver messages"))
    if name not in EXTERNAL_MESSAGES:  # placements and transfers go through their own use cases
        raise NotFound(N_("no such message %(message)s"), message=name)
    body = _json_body()
    key, payload = body.get("correlation_key"), body.get("payload") or {}
    if not isinstance(key, str) or not key:
        raise InvalidInput(N_("'correlation_key' is required"))
    if len(key) > MAX_KEY:
        raise InvalidInput(params.TOO_LONG, field="correlation_key", max=MAX_KEY)
    if not isinstance(payload, dict):
        raise InvalidInput(N_("'payload' must be a JSON object"))
    count = instances.deliver_message(name, correlation_key=key, payload=payload, actor=actor)
    return jsonify(delivered=count)
