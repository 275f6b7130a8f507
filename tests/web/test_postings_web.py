"""The posting register in the browser's requests: the list pages with its filters, add and close, import an
upload within its size bound, role and region limits; the case file's referral forms pick postings."""

import io
import re
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select
from supervision_helpers import REACHED, do, open_in, owner
from web_helpers import csrf_token, login

from caseflow.domain.enums import EventAction, HumanTaskState
from caseflow.extensions import db
from caseflow.models import EventLog, HumanTask, JobPosting

_ROW = re.compile(r'<tr class="posting-(open|closed)" data-posting="(\d+)"')
_PAGE_LINK = re.compile(r'href="([^"]*[?&]page=(\d+)[^"]*)"')
FORM = {"employer": "长春一汽", "title": "测试工程师", "area_code": "220102", "industry": "软件", "major_prefixes": "",
        "min_degree": "", "salary_min": "5000", "salary_max": "8000", "open_until": "2026-12-31"}


def seed(app, n: int, **values) -> list[int]:
    with app.app_context():
        rows = [{"employer": f"企业{i}", "title": f"岗位{i}", "area_code": "220102", "industry": "制造",
                 "major_prefixes": [], "open_until": date(2026, 12, 31), **values} for i in range(n)]
        ids = list(db.session.execute(insert(JobPosting).returning(JobPosting.id, sort_by_parameter_order=True),
                                      rows).scalars())
        db.session.commit()
    return ids


def rows_of(html: str) -> list[tuple[str, int]]:
    return [(state, int(posting)) for state, posting in _ROW.findall(html)]


def walk(client, path: str) -> list[int]:
    """Every posting row of the list, following the pager from the first page to the last."""
    html = client.get(path).get_data(as_text=True)
    links = {int(n): href for href, n in _PAGE_LINK.findall(html.replace("&amp;", "&"))}
    seen = [posting for _, posting in rows_of(html)]
    for number in range(2, max(links | {1: ""}) + 1):
        page = client.get(links[number]).get_data(as_text=True)
        assert 0 < len(rows_of(page)) <= 50
        seen += [posting for _, posting in rows_of(page)]
    assert len(seen) == len(set(seen))
    return seen


def test_the_list_pages_past_fifty_rows_keeping_its_filters(app, client, demo_users):
    soft = seed(app, 70, industry="软件")
    seed(app, 40, industry="制造")
    seed(app, 5, area_code="220103", industry="软件")
    login(client, "nanguan_sup")
    assert len(walk(client, "/postings")) == 110
    assert sorted(walk(client, "/postings?industry=软件")) == soft  # pager links keep the filter
    for wild in ("0", "-1", "99999999999999999999", "x"):
        assert client.get(f"/postings?page={wild}&state=bogus&degree=x&area=99").status_code == 200
    assert client.get("/postings?q=" + "x" * 900).status_code == 200
    for junk in ("%00", "a%00b", "%1b[31m", "x" * 5000):  # refused before any query (caseflow/web/params.py)
        assert client.get(f"/postings?q={junk}&industry={junk}&area={junk}&degree={junk}").status_code == 400


def test_a_supervisor_adds_a_posting_and_a_bad_one_comes_back_with_reasons(app, client, demo_users):
    login(client, "nanguan_sup")
    token = csrf_token(client, "/postings/new")
    bad = client.post("/postings/new", data={**FORM, "salary_min": "9000", "open_until": "2020-01-01",
                                             "csrf_token": token})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "截止日期已过" in page and "最低月薪高于最高月薪" in page
    assert 'value="长春一汽"' in page  # what was typed stays in the form
    nul = client.post("/postings/new", data={**FORM, "employer": "一汽\x00", "area_code": "2201\x0002",
                                             "csrf_token": token})
    assert nul.status_code == 400 and "控制字符" in nul.get_data(as_text=True)
    created = client.post("/postings/new", data={**FORM, "csrf_token": token})
    assert created.status_code == 303
    listed = client.get("/postings?state=open").get_data(as_text=True)
    assert "测试工程师" in listed and len(rows_of(listed)) == 1


def test_closing_from_the_list_shows_the_posting_closed(app, client, demo_users):
    [posting] = seed(app, 1)
    login(client, "nanguan_cw1")
    token = csrf_token(client, "/postings")
    response = client.post(f"/postings/{posting}/close", data={"csrf_token": token, "next": "/postings?state=open"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/postings?state=open")
    assert rows_of(client.get("/postings").get_data(as_text=True)) == [("closed", posting)]
    assert rows_of(client.get("/postings?state=open").get_data(as_text=True)) == []
    again = client.post(f"/postings/{posting}/close", data={"csrf_token": token, "next": "//evil.example/"})
    assert again.headers["Location"].endswith("/postings")


def xlsx_upload(*rows) -> bytes:
    book = Workbook()
    book.active.append(["用人单位", "岗位名称", "工作地区代码", "截止日期"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, *, token=None, check_only=False, name="岗位.xlsx"):
    form = {"file": (io.BytesIO(data), name), "csrf_token": token or csrf_token(client, "/postings/import")}
    if check_only:
        form["check_only"] = "1"
    return client.post("/postings/import", data=form, content_type="multipart/form-data")


def postings_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(JobPosting))


def test_an_upload_is_reported_row_by_row_and_imported_only_when_clean(app, client, demo_users):
    login(client, "nanguan_sup")
    refused = upload(client, xlsx_upload(("一汽", "技术员", "220102", "2026-10-31"),
                                         ("一汽", "技工\n二级", "220102", "2026-10-31")))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "含有控制字符或换行" in page and "未导入任何岗位" in page
    assert postings_count(app) == 0
    checked = upload(client, xlsx_upload(("一汽", "技术员", "220102", "2026-10-31")), check_only=True)
    assert checked.status_code == 200 and "仅检查" in checked.get_data(as_text=True) and postings_count(app) == 0
    done = upload(client, xlsx_upload(("一汽", "技术员", "220102", "2026-10-31")), name="岗位\x00.xlsx")
    assert done.status_code == 200 and "已导入 1 个岗位" in done.get_data(as_text=True)
    assert postings_count(app) == 1


def test_many_refused_rows_are_all_reported(app, client, demo_users):
    login(client, "nanguan_sup")
    response = upload(client, xlsx_upload(*[("一汽", f"岗位{n}", "220103", "2026-10-31") for n in range(80)]))
    assert response.get_data(as_text=True).count("不在您的辖区内") == 80


def test_an_oversized_upload_or_one_without_the_form_token_changes_nothing(app, client, demo_users):
    app.config["CASEFLOW_POSTING_IMPORT_MAX_BYTES"] = 4096
    login(client, "nanguan_sup")
    token = csrf_token(client, "/postings/import")
    too_big = upload(client, b"x" * 200_000, token=token, name="big.csv")
    assert too_big.status_code == 413 and "文件超过 4 KB" in too_big.get_data(as_text=True)
    data = xlsx_upload(("一汽", "技术员", "220102", "2026-10-31"))
    assert upload(client, data, token="forged").status_code == 400
    assert upload(client, b"", token=token).status_code == 400
    assert postings_count(app) == 0


def test_roles_and_regions_limit_the_register(app, client, demo_users):
    [posting] = seed(app, 1)
    login(client, "jilin_analyst")
    listed = client.get("/postings").get_data(as_text=True)
    assert rows_of(listed) == [("open", posting)] and 'href="/postings/new"' not in listed
    assert client.get("/postings/new").status_code == 403
    assert client.get("/postings/import").status_code == 403
    login(client, "jilin_designer")
    assert client.get("/postings").status_code == 403
    login(client, "kuancheng_sup")
    assert rows_of(client.get("/postings").get_data(as_text=True)) == []
    denied = client.get(f"/postings/{posting}/edit")
    assert denied.status_code == 404 and "企业0" not in denied.get_data(as_text=True)
    assert client.get("/postings/99999999999999999999/edit").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventLog)
                                 .where(EventLog.action == EventAction.ACCESS_DENIED)) == 1


def test_the_case_file_picks_postings_and_tells_of_a_short_push(app, client, demo_users):
    [near] = seed(app, 1, title="近处岗位")
    [closed] = seed(app, 1, title="已关岗位", closed_at=None, open_until=date(2026, 6, 30))
    with app.app_context():
        [case_id] = open_in("220102")
        caseworker = owner(case_id)
        do(case_id, "attempt", caseworker, **REACHED)
        do(case_id, "classify", caseworker, status="seeking", startup_intent=False, effective_on="2026-07-01")
    login(client, caseworker)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "自动推送只找到 1 个匹配岗位" in page and "辖区内在招岗位不足" in page  # the notice and the timeline
    select_html = re.search(r'<select id="record_service-posting_id".*?</select>', page, re.S).group(0)
    assert f'value="{near}"' in select_html and f'value="{closed}"' not in select_html
    assert "已推送过" in select_html
    outcome_html = re.search(r'<select id="referral_outcome-referral_id".*?</select>', page, re.S).group(0)
    assert "近处岗位" in outcome_html
    with app.app_context():
        task = db.session.scalars(select(HumanTask.id).where(HumanTask.case_id == case_id,
                                                             HumanTask.bpmn_id == "deliver",
                                                             HumanTask.state == HumanTaskState.READY)).one()
    form = client.get(f"/tasks/{task}").get_data(as_text=True)
    assert re.search(rf'<select id="f-posting_id".*?value="{near}"', form, re.S)


@pytest.mark.parametrize("path", ["/postings", "/postings/new", "/postings/import", "/postings/template.xlsx"])
def test_register_pages_answer_for_an_editor(app, client, demo_users, path):
    login(client, "nanguan_cw1")
    assert client.get(path).status_code == 200
