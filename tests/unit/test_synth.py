"""The synthetic data generator: valid, distinct, realistic-looking and the same for the same seed."""

import inspect
from collections import Counter
from datetime import date

from openpyxl import load_workbook
from stdnum.cn import ric

from caseflow import synth
from caseflow.domain.enums import Degree
from caseflow.domain.ledger import screen_rows
from caseflow.domain.ledger_files import read_rows
from caseflow.models import JobPosting
from caseflow.services.regions import reference_rows


def test_every_id_number_passes_stdnum_including_its_birth_place_and_date():
    people = list(synth.graduates(3000, seed=11))
    assert all(ric.validate(g.id_number) == g.id_number for g in people)
    assert all(ric.get_birth_date(g.id_number) == g.birth_date for g in people)
    assert all(int(g.id_number[16]) % 2 == (1 if g.gender == "M" else 0) for g in people)
    assert len({g.id_number for g in people}) == len(people)


def test_the_same_seed_gives_the_same_graduates_and_another_seed_others():
    assert list(synth.graduates(200, seed=5)) == list(synth.graduates(200, seed=5))
    assert [g.id_number for g in synth.graduates(50, seed=5)] != [g.id_number for g in synth.graduates(50, seed=6)]
    assert synth.job_postings(30, seed=2, province="42") == synth.job_postings(30, seed=2, province="42")


def test_graduates_are_streamed_one_at_a_time():
    assert inspect.isgenerator(synth.graduates(10**6, seed=1))


def test_shares_look_like_a_ledger_of_one_province():
    people = list(synth.graduates(5000, seed=3, province="42"))
    counties = {row["code"] for row in reference_rows() if row["level"] == "county"}
    degrees = Counter(g.degree for g in people)
    assert 0.40 < degrees[Degree.ASSOCIATE] / 5000 < 0.48 and 0.45 < degrees[Degree.BACHELOR] / 5000 < 0.53
    assert 0.06 < sum(1 for g in people if g.hardship) / 5000 < 0.10
    elsewhere = sum(1 for g in people if g.residence_area_code and g.residence_area_code[:6] != g.hukou_area_code[:6])
    assert 0.08 < elsewhere / 5000 < 0.12
    unrouted = sum(1 for g in people if g.hukou_area_code[:6] not in counties and not g.residence_area_code)
    assert 0.01 < unrouted / 5000 < 0.03
    assert all(21 <= (date(2026, 6, 30) - g.birth_date).days // 365 <= 27 for g in people)
    assert all(g.hukou_area_code.startswith("42") or g.residence_area_code.startswith("42") for g in people)


def test_csv_and_xlsx_ledgers_import_without_a_single_rejection(tmp_path):
    for path in (synth.write_ledger_csv(tmp_path / "a.csv", 300, seed=4),
                 synth.write_ledger_csv(tmp_path / "b.csv", 300, seed=4, encoding="gbk"),
                 synth.write_ledger_xlsx(tmp_path / "c.xlsx", 300, seed=4)):
        screened = list(screen_rows(read_rows(path), cohort=2026))
        assert len(screened) == 300 and [e for _, _, e in screened if e] == []
    workbook = load_workbook(tmp_path / "c.xlsx", read_only=True)
    assert next(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))[8].date() == date(2026, 6, 30)
    workbook.close()


def test_job_postings_match_the_job_posting_table():
    postings = synth.job_postings(50, seed=9, province="22")
    columns = {c.name for c in JobPosting.__table__.columns} - {"id"}
    assert all(set(p) == columns for p in postings)
    assert all(p["area_code"].startswith("22") and p["salary_min"] < p["salary_max"] for p in postings)
    assert all(p["min_degree"] in (None, *Degree) for p in postings)
