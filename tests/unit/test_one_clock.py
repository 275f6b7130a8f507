"""Every time Caseflow writes or compares comes from the app clock: no module outside the clock reads the
system's time (datetime.now, date.today, ...), so a simulated installation is simulated everywhere."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "caseflow"
CLOCK_MODULES = {"domain/clock.py", "engine/clockpatch.py"}
# Flask-Limiter measures its windows in wall-clock seconds; the sign-in page converts its wait on that clock.
WALL_CLOCK_ALLOWED = {("web/auth.py", "time.time")}
# time.monotonic measures how long something takes (e.g. the ledger reader's time budget), not when it is.
READERS = {"datetime.now", "datetime.utcnow", "datetime.today", "date.today", "time.time",
           "datetime.datetime.now", "datetime.date.today"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def clock_reads(root: Path = PACKAGE) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        if module in CLOCK_MODULES or module.startswith("migrations/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (name := _dotted(node.func)) in READERS \
                    and (module, name) not in WALL_CLOCK_ALLOWED:
                found.append((module, node.lineno, name))
    return found


def test_no_module_outside_the_clock_reads_the_system_time():
    assert clock_reads() == []


def test_the_scan_finds_a_system_time_read(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "sneaky.py").write_text("from datetime import date\n\ndef today():\n"
                                                     "    return date.today()\n")
    assert clock_reads(tmp_path) == [("services/sneaky.py", 4, "date.today")]
