"""A new Hubei installation set up the way README's "Setting up a new installation" says: its `flask caseflow`
commands run as written (through Flask's CLI runner), with the files they name made here."""

import csv
import re
import shlex
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook

README = Path(__file__).resolve().parents[1] / "README.md"
ADMIN_PASSWORD = "hubei-admin-2026"
LEDGER_CASES = 4
STAFF = [("jiangan_cw1", "李娜（江岸区就业服务专员）", "就业服务专员", "420102"),
         ("jiangan_sup", "张伟（江岸区就业服务中心主任）", "主管、创业就业指导师", "420102"),
         ("wuhan_sup", "杨帆（武汉市就业服务局）", "supervisor", "4201")]


def readme_commands() -> list[list[str]]:
    """The commands of README's set-up block, split as a shell would (comments dropped)."""
    section = README.read_text(encoding="utf-8").split("## Setting up a new installation", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def _staff_workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["用户名", "姓名", "角色", "地区代码", "初始密码"])
    for row in STAFF:
        sheet.append([*row, None])
    book.save(path)


def _ledger(path: Path) -> None:
    from caseflow import synth

    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(synth.ledger_header())
        for graduate in synth.graduates(LEDGER_CASES, seed=42, province="42"):
            writer.writerow(synth.ledger_row(replace(graduate, hukou_area_code="420102",
                                                     residence_area_code="420102", hardship=())))


def set_up_hubei(app, workdir: Path) -> dict:
    """Run README's set-up commands; return each command's output and the temporary staff passwords."""
    files = {"wuhan-staff.xlsx": workdir / "wuhan-staff.xlsx", "hubei-ledger-2026.csv": workdir / "ledger.csv",
             "wuhan-passwords.csv": workdir / "wuhan-passwords.csv"}
    _staff_workbook(files["wuhan-staff.xlsx"])
    _ledger(files["hubei-ledger-2026.csv"])
    runner, outputs = app.test_cli_runner(), {}
    for command in readme_commands():
        assert command[:2] == ["flask", "caseflow"], command
        args = [str(files.get(part, part)) for part in command[1:]]
        result = runner.invoke(args=args, input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n")
        assert result.exit_code == 0, (command, result.output, result.exception)
        key = " ".join(command[2:4]) if command[2] in ("users", "provinces") else command[2]
        outputs[key] = outputs.get(key, "") + result.output
    with files["wuhan-passwords.csv"].open(encoding="utf-8") as handle:
        passwords = {row["username"]: row["temporary_password"] for row in csv.DictReader(handle)}
    return {"outputs": outputs, "passwords": passwords}
