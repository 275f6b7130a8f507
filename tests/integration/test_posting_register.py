"""The posting register's use cases: add, edit, close, list with filters a page at a time, and import from a file
all or nothing; scoped to the user's region, limited by role, audited."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, insert, select
from supervision_helpers import actor

from caseflow.domain.enums import EventAction, PostingState
from caseflow.domain.postings import Reason
from caseflow.errors import Conflict, InvalidInput, NotAllowed, NotFound, OutOfRegion
from caseflow.extensions import db
from caseflow.models import EventLog, JobPosting
from caseflow.services import posting_import, postings

FORM = {"employer": "长春一汽", "title": "测试工程师", "area_code": "220102", "industry": "软件",
        "major_prefixes": "0809", "min_degree": "bachelor", "salary_min": "5000", "salary_max": "8000",
        "open_until": "2026-12-31"}
HEADER = ["用人单位", "岗位名称", "工作地区代码", "行业", "专业代码", "最低学历", "月薪下限", "月薪上限", "截止日期"]


def events(action) -> list[EventLog]:
    return list(db.session.scalars(select(EventLog).where(EventLog.action == action).order_by(EventLog.id)))


def count_postings() -> int:
    return db.session.scalar(select(func.count()).select_from(JobPosting))


def test_a_caseworker_adds_a_posting_and_it_is_audited(staff):
    posting = postings.create_posting(FORM, actor=actor("nanguan_cw1"))
    assert (posting.employer, posting.area_code, posting.major_prefixes, posting.open_until) == (
        "长春一汽", "220102", ["0809"], date(2026, 12, 31))
    assert posting.created_by == "nanguan_cw1" and posting.closed_at is None
    [event] = events(EventAction.POSTING_CREATED)
    assert event.actor == "nanguan_cw1" and event.detail["posting"] == posting.id


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({"area_code": "220103"}, "area_code", Reason.OUT_OF_REGION),  # the other county
    ({"area_code": "220102999"}, "area_code", Reason.UNKNOWN_AREA),
    ({"open_until": "2026-06-30"}, "open_until", Reason.DATE_PASSED),
    ({"salary_max": "-1"}, "salary_max", Reason.INVALID_NUMBER),
])
def test_a_bad_posting_is_refused_field_by_field_and_nothing_is_stored(staff, changes, field, reason):
    with pytest.raises(InvalidInput) as refused:
        postings.create_posting({**FORM, **changes}, actor=actor("nanguan_sup"))
    assert refused.value.params["errors"] == {field: reason}
    assert count_postings() == 0 and events(EventAction.POSTING_CREATED) == []


def test_the_same_open_vacancy_is_not_added_twice(staff):
    first = postings.create_posting(FORM, actor=actor("nanguan_cw1"))
    with pytest.raises(InvalidInput) as refused:
        postings.create_posting({**FORM, "employer": " 长春一汽"}, actor=actor("nanguan_cw2"))
    assert refused.value.params["errors"] == {"_row": Reason.DUPLICATE_EXISTING}
    assert refused.value.params["details"] == {"_row": f"#{first.id}"}


def test_editing_changes_the_posting_and_records_what_changed(staff):
    posting = postings.create_posting(FORM, actor=actor("nanguan_cw1"))
    postings.update_posting(posting.id, {**FORM, "title": "高级测试工程师", "salary_max": "9000"},
                            actor=actor("nanguan_sup"))
    db.session.expire_all()
    assert db.session.get(JobPosting, posting.id).title == "高级测试工程师"
    [event] = events(EventAction.POSTING_UPDATED)
    assert event.actor == "nanguan_sup" and set(event.detail["changed"]) == {"title", "salary_max"}


def test_an_expired_posting_reopens_with_a_new_closing_date(staff, clock):
    [posting_id] = db.session.execute(insert(JobPosting).returning(JobPosting.id), [
        {"employer": "一汽", "title": "技工", "area_code": "220102", "major_prefixes": [],
         "open_until": date(2026, 6, 30)}]).scalars()
    db.session.commit()
    nanguan = actor("nanguan_sup")
    assert postings.state_of(db.session.get(JobPosting, posting_id), postings.today()) == PostingState.CLOSED
    postings.update_posting(posting_id, {"employer": "一汽", "title": "技工", "area_code": "220102",
                                         "open_until": "2026-08-31"}, actor=nanguan)
    assert postings.state_of(db.session.get(JobPosting, posting_id), postings.today()) == PostingState.OPEN


def test_closing_a_posting_is_final_and_audited(staff):
    posting = postings.create_posting(FORM, actor=actor("nanguan_cw1"))
    postings.close_posting(posting.id, actor=actor("nanguan_sup"))
    assert posting.closed_by == "nanguan_sup"
    assert postings.state_of(posting, postings.today()) == PostingState.CLOSED
    with pytest.raises(Conflict):
        postings.close_posting(posting.id, actor=actor("nanguan_sup"))
    with pytest.raises(Conflict):
        postings.update_posting(posting.id, FORM, actor=actor("nanguan_sup"))
    assert len(events(EventAction.POSTING_CLOSED)) == 1


def test_a_posting_of_another_county_does_not_exist_for_its_neighbour(staff):
    posting = postings.create_posting(FORM, actor=actor("nanguan_cw1"))
    for attempt in (lambda a: postings.get_posting_or_raise(posting.id, a),
                    lambda a: postings.close_posting(posting.id, actor=a),
                    lambda a: postings.update_posting(posting.id, FORM, actor=a)):
        with pytest.raises(OutOfRegion):
            attempt(actor("kuancheng_sup"))
    with pytest.raises(NotFound):
        postings.get_posting_or_raise(10**12, actor("nanguan_sup"))
    assert postings.get_posting_or_raise(posting.id, actor("changchun_sup")).id == posting.id  # the city above
    assert db.session.get(JobPosting, posting.id).closed_at is None


def test_analysts_read_the_register_but_only_caseworkers_supervisors_and_admins_change_it(staff):
    posting = postings.create_posting(FORM, actor=actor("admin"))
    analyst = actor("jilin_analyst")
    assert [p.id for p in postings.list_postings(analyst, postings.PostingQuery()).rows] == [posting.id]
    for change in (lambda: postings.create_posting(FORM, actor=analyst),
                   lambda: postings.close_posting(posting.id, actor=analyst),
                   lambda: posting_import.import_postings(b"x", file_name="x.csv", actor=analyst)):
        with pytest.raises(NotAllowed):
            change()
    with pytest.raises(NotAllowed):
        postings.list_postings(actor("jilin_designer"), postings.PostingQuery())


@pytest.fixture
def register(staff):
    """130 postings over the two counties: industries, degrees, open, expired and closed ones mixed."""
    rows = []
    for n in range(130):
        rows.append({"employer": f"企业{n}", "title": f"岗位{n}", "area_code": "220102" if n % 3 else "220103",
                     "industry": ("软件", "制造", "教育")[n % 3 if n % 2 else 0], "major_prefixes": [],
                     "min_degree": (None, "bachelor", "master")[n % 3],
                     "open_until": date(2026, 6, 30) if n % 7 == 0 else date(2026, 9, 30),
                     "closed_at": postings.clock_now() if n % 11 == 0 else None})
    db.session.execute(insert(JobPosting), rows)
    db.session.commit()
    return rows


def every_page(user: str, **filters) -> list[JobPosting]:
    first = postings.list_postings(actor(user), postings.PostingQuery(**filters))
    seen = list(first.rows)
    for number in range(2, first.pages + 1):
        page = postings.list_postings(actor(user), postings.PostingQuery(page=number, **filters))
        assert 0 < len(page.rows) <= 50
        seen += page.rows
    assert len(seen) == first.total == len({p.id for p in seen})
    return seen


def test_the_list_pages_and_filters_by_area_industry_degree_and_state(register):
    expected_nanguan = [r for r in register if r["area_code"] == "220102"]
    assert len(every_page("nanguan_sup")) == len(expected_nanguan) > 50
    assert len(every_page("changchun_sup")) == 130
    assert {p.area_code for p in every_page("changchun_sup", area="220103")} == {"220103"}
    assert len(every_page("nanguan_sup", area="220103")) == len(expected_nanguan)  # outside: the own region
    assert {p.industry for p in every_page("changchun_sup", industry="制造")} == {"制造"}
    assert all(p.min_degree is None for p in every_page("changchun_sup", degree="none"))
    assert {p.min_degree for p in every_page("changchun_sup", degree="master")} == {"master"}
    today = postings.today()
    open_rows = every_page("changchun_sup", state=PostingState.OPEN)
    closed_rows = every_page("changchun_sup", state=PostingState.CLOSED)
    assert len(open_rows) + len(closed_rows) == 130
    assert all(p.closed_at is None and p.open_until >= today for p in open_rows)
    assert len(open_rows) == sum(1 for r in register if r["closed_at"] is None and r["open_until"] >= today)
    assert [p.title for p in every_page("changchun_sup", text="岗位12")] == ["岗位129", "岗位128", "岗位127",
                                                                             "岗位126", "岗位125", "岗位124",
                                                                             "岗位123", "岗位122", "岗位121",
                                                                             "岗位120", "岗位12"]


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in (HEADER, *rows):
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [("一汽", "技术员", "220102", "制造", "", "专科", 4000, 6000, "2026-10-31"),
             ("华为", "开发", 220102, "软件", "0809", "本科", 8000, 12000, date(2026, 11, 30)),
             ("吉大一院", "护士", "220102", "医疗", "1011", "", "", "", "2026-09-30")]


def test_an_import_with_a_refused_row_imports_nothing_and_reports_each_problem(staff):
    data = workbook(*GOOD_ROWS, ("=cmd|' /C calc'!A0", "技工", "220103", "", "", "", "5000", "4000", "2026-09-30"))
    report = posting_import.import_postings(data, file_name="岗位.xlsx", actor=actor("nanguan_sup"))
    assert (report.total, report.accepted, report.refused_rows, report.imported) == (4, 3, 1, 0)
    assert {(n, e.field, e.reason) for n, e in report.refused} == {
        (5, "employer", Reason.FORMULA), (5, "area_code", Reason.OUT_OF_REGION), (5, "salary_min", Reason.SALARY_RANGE)}
    assert count_postings() == 0 and events(EventAction.POSTINGS_IMPORTED) == []


def test_a_clean_import_adds_every_posting_at_once_and_a_second_run_refuses_them_as_duplicates(staff):
    data = workbook(*GOOD_ROWS)
    checked = posting_import.import_postings(data, file_name="岗位.xlsx", actor=actor("nanguan_sup"), check_only=True)
    assert (checked.accepted, checked.imported) == (3, 0) and count_postings() == 0
    report = posting_import.import_postings(data, file_name="岗位.xlsx", actor=actor("nanguan_sup"))
    assert report.imported == 3 and count_postings() == 3
    imported = db.session.scalars(select(JobPosting).order_by(JobPosting.id)).all()
    assert [(p.employer, p.min_degree, p.salary_max, p.created_by) for p in imported] == [
        ("一汽", "associate", 6000, "nanguan_sup"), ("华为", "bachelor", 12000, "nanguan_sup"),
        ("吉大一院", None, None, "nanguan_sup")]
    [event] = events(EventAction.POSTINGS_IMPORTED)
    assert (event.detail["imported"], event.detail["file"]) == (3, "岗位.xlsx") and len(event.detail["sha256"]) == 64
    again = posting_import.import_postings(data, file_name="岗位.xlsx", actor=actor("nanguan_sup"))
    assert again.imported == 0 and {e.reason for _, e in again.refused} == {Reason.DUPLICATE_EXISTING}
    assert count_postings() == 3


def test_an_import_past_the_configured_bounds_is_refused_whole(app, staff):
    app.config.update(CASEFLOW_POSTING_IMPORT_MAX_ROWS=2)
    with pytest.raises(InvalidInput, match="more than 2 postings"):
        posting_import.import_postings(workbook(*GOOD_ROWS), file_name="x.xlsx", actor=actor("nanguan_sup"))
    app.config.update(CASEFLOW_POSTING_IMPORT_MAX_ROWS=1000, CASEFLOW_POSTING_IMPORT_MAX_BYTES=1024)
    with pytest.raises(InvalidInput, match="larger than 1 KB"):
        posting_import.import_postings(workbook(*GOOD_ROWS), file_name="x.xlsx", actor=actor("nanguan_sup"))
    assert count_postings() == 0
