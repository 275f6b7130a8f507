"""Property-based test of /api/v1 against its own OpenAPI document (schemathesis): whatever a generated request
holds — valid per the document or not — the answer is never a server error, and every error is JSON.

Bounded so that it stays part of the normal run (a few hundred requests, well under a minute on either database)."""

import schemathesis
from handover_helpers import csv_bytes
from helpers import graduate, valid_id
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy import select

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import Case, HumanTask
from caseflow.services import api_tokens, cases, ledger_upload, postings

EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 5}
KNOWN_EXAMPLES = 6  # requests on the case, task and posting that exist, the rest generated


def _busy_region(app) -> tuple[str, dict]:
    """A few cases, a posting and a previewed ledger in 南关区, and a supervisor token for the city: most requests
    reach the services.
    Returns the token's secret and the ids that exist, by path parameter."""
    with app.app_context():
        cases.open_cases([graduate(valid_id(f"220102200301{n:04d}1"), hukou="220102", name=f"王{n}")
                          for n in range(3)], cohort=2026, actor=SYSTEM)
        db.session.commit()
        posting = postings.create_posting({"employer": "长春一汽", "title": "工程师", "area_code": "220102",
                                           "open_until": "2026-09-30"}, actor=SYSTEM)
        token, secret = api_tokens.add_token("changchun-supervision", role="supervisor", region_code="2201",
                                             actor=SYSTEM)
        batch = ledger_upload.start_upload(csv_bytes(3), file_name="台账.csv", cohort=2026,
                                           actor=api_tokens.actor_of(token))
        ledger_upload.run_pending()
        known = {"case_id": db.session.scalar(select(Case.id)), "posting_id": posting.id,
                 "task_id": db.session.scalar(select(HumanTask.id)), "batch_id": batch.id}
    return secret, known


def _check(operation, mode: GenerationMode, auth: dict, path_parameters: dict | None = None) -> None:
    @settings(max_examples=KNOWN_EXAMPLES if path_parameters else EXAMPLES[mode], deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def answers_without_a_server_error(case):
        response = case.call(headers={**(case.headers or {}), **auth})
        assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body,
                                            response.status_code, response.text[:500])
        if response.status_code >= 400:
            body = response.json()
            assert body["error"] and body["message"], body

    answers_without_a_server_error()


def test_no_generated_request_gets_a_server_error(app, client, demo_users):
    secret, known = _busy_region(app)
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in EXAMPLES:
            _check(operation, mode, auth)
        names = {parameter.name for parameter in operation.path_parameters}
        if names:
            _check(operation, GenerationMode.POSITIVE, auth, {name: known[name] for name in names})
        checked += 1
    assert checked >= 15
