"""The ledger upload pages: upload, progress (JSON and the refreshing page), the preview's refused rows a page at
a time, the XLSX of refused rows, commit and discard, and who may see what."""

import io
import re

from handover_helpers import csv_bytes
from openpyxl import load_workbook
from web_helpers import csrf_token, login

from caseflow.extensions import db
from caseflow.services import ledger_upload

BAD_DATES = {index: {"graduation_date": "2026-13-40"} for index in range(60)}  # 60 refused rows: two pages


def _upload(client, data: bytes, name: str = "台账.csv", cohort: str = "2026"):
    token = csrf_token(client, "/ledger")
    return client.post("/ledger/upload", data={"file": (io.BytesIO(data), name), "cohort": cohort,
                                                "csrf_token": token}, content_type="multipart/form-data")


def _run_jobs(app) -> None:
    with app.app_context():
        ledger_upload.run_pending()
        db.session.remove()


def test_a_supervisor_uploads_sees_progress_then_every_refused_row_and_commits(demo_users, client):
    app = demo_users
    login(client, "nanguan_sup")
    assert 'href="/ledger"' in client.get("/inbox").get_data(as_text=True)
    response = _upload(client, csv_bytes(70, edits=BAD_DATES))
    assert response.status_code == 302
    page_url = response.headers["Location"]
    batch_id = int(page_url.rsplit("/", 1)[1])

    waiting = client.get(page_url).get_data(as_text=True)
    assert 'id="ledger-progress"' in waiting and '<progress id="ledger-bar"' in waiting
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in waiting  # works without JavaScript
    assert "ledger.js" in waiting
    progress = client.get(f"/ledger/{batch_id}/progress.json").get_json()
    assert (progress["working"], progress["state"], progress["rows_expected"]) == (True, "queued", 70)

    _run_jobs(app)
    progress = client.get(f"/ledger/{batch_id}/progress.json").get_json()
    assert (progress["working"], progress["percent"], progress["total_rows"], progress["rejected_rows"]) == (
        False, 100, 70, 60)
    first = client.get(page_url).get_data(as_text=True)
    assert 'id="ledger-progress"' not in first and "http-equiv" not in first
    assert len(re.findall(r"<tr><td>\d+</td>", first)) == 50 and "?page=2" in first
    second = client.get(f"{page_url}?page=2").get_data(as_text=True)
    rows = [int(number) for number in re.findall(r"<tr><td>(\d+)</td>", second)]
    assert rows == list(range(52, 62))  # the refused rows 2..61, the last ten on page two
    assert "日期无效" in second

    report = client.get(f"/ledger/{batch_id}/refused.xlsx")
    assert report.status_code == 200 and report.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(report.data), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][0] == "行号" and len(lines) == 61 and lines[1][0] == 2

    token = csrf_token(client, page_url)
    assert f'action="/ledger/{batch_id}/commit"' in first
    committed = client.post(f"/ledger/{batch_id}/commit", data={"csrf_token": token})
    assert committed.status_code == 302
    assert client.get(f"/ledger/{batch_id}/progress.json").get_json()["kind"] == "commit"
    _run_jobs(app)
    done = client.get(page_url).get_data(as_text=True)
    assert "10" in re.search(r'class="ok">([^<]*)<', done).group(1)
    assert f'action="/ledger/{batch_id}/commit"' not in done and f'/ledger/{batch_id}/discard' not in done
    again = client.post(f"/ledger/{batch_id}/commit", data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200 and "flash-warning" in again.get_data(as_text=True)


def test_discard_and_the_list_of_uploads_paged(demo_users, client):
    app = demo_users
    login(client, "nanguan_sup")
    with app.app_context():
        from caseflow.models import User
        from caseflow.services import accounts

        actor = accounts.actor_for(db.session.scalar(db.select(User).where(User.username == "nanguan_sup")))
        for _ in range(51):
            ledger_upload.start_upload(csv_bytes(2), file_name="a.csv", cohort=2026, actor=actor)
        db.session.remove()
    listing = client.get("/ledger").get_data(as_text=True)
    assert len(re.findall(r'<a href="/ledger/\d+">#', listing)) == 50 and "?page=2" in listing
    assert len(re.findall(r'<a href="/ledger/\d+">#', client.get("/ledger?page=2").get_data(as_text=True))) == 1
    _run_jobs(app)
    token = csrf_token(client, "/ledger/1")
    response = client.post("/ledger/1/discard", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "flash-success" in response.get_data(as_text=True)
    assert client.get("/ledger/1/progress.json").get_json()["status"] == "discarded"


def test_bad_uploads_are_refused_with_a_message(demo_users, client):
    login(client, "nanguan_sup")
    token = csrf_token(client, "/ledger")
    empty = client.post("/ledger/upload", data={"cohort": "2026", "csrf_token": token},
                        content_type="multipart/form-data")
    assert empty.status_code == 400 and "flash-warning" in empty.get_data(as_text=True)
    old = _upload(client, b"\xd0\xcf\x11\xe0 an old workbook", name="old.xls")
    assert old.status_code == 400 and ".xlsx" in old.get_data(as_text=True)
    no_token = client.post("/ledger/upload", data={"file": (io.BytesIO(b"x"), "a.csv"), "cohort": "2026"},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400
    demo_users.config["CASEFLOW_LEDGER_UPLOAD_MAX_BYTES"] = 1000
    big = _upload(client, csv_bytes(50))
    assert big.status_code == 413


def test_only_importers_of_the_region_see_uploads(demo_users, client):
    login(client, "nanguan_sup")
    batch_url = _upload(client, csv_bytes(3)).headers["Location"]
    login(client, "kuancheng_sup")
    assert client.get(batch_url).status_code == 404
    assert client.get(batch_url + "/refused.xlsx").status_code == 404
    login(client, "changchun_sup")
    assert client.get(batch_url).status_code == 200
    login(client, "nanguan_cw1")
    assert client.get("/ledger").status_code == 403
    assert 'href="/ledger"' not in client.get("/inbox").get_data(as_text=True)
