"""Serve Caseflow at http://127.0.0.1:5000 with an embedded SQLite database and demo data."""

import os

from caseflow import create_app, scheduler
from caseflow.services.accounts import DEMO_PASSWORD, DEMO_USERS
from caseflow.services.demo import install_demo


def print_demo_accounts() -> None:
    print(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for username, name, roles, region in DEMO_USERS:
        print(f"  {username:<16} {','.join(roles):<18} {region:<7} {name}")


def main() -> None:
    os.environ.setdefault("CASEFLOW_SIMULATED_CLOCK", "1")
    sweep = os.environ.get("CASEFLOW_SCHEDULER", "1") == "1"
    app = create_app({"CASEFLOW_SCHEDULER": False})  # the sweep starts once the database is migrated
    with app.app_context():
        if install_demo(simulated=app.config["CASEFLOW_SIMULATED_CLOCK"]):
            print_demo_accounts()
    if sweep:
        scheduler.start(app)
    host = os.environ.get("CASEFLOW_HOST", "127.0.0.1")
    port = int(os.environ.get("CASEFLOW_PORT", "5000"))
    print(f"Caseflow is running at http://{host}:{port}/", flush=True)
    app.run(host=host, port=port, use_reloader=False, threaded=True)


if __name__ == "__main__":
    main()
