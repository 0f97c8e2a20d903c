"""Run Lindungi: `python run.py --demo` serves the embedded SQLite demo (waitress);
`flask --app run ...` for the commands; production serves `run:app` with gunicorn."""

from __future__ import annotations

import argparse
import sys

from app import create_app
from app.serving import make_server


def _demo_app():
    app = create_app({"AUTO_UPGRADE_DB": True})
    from app.cli import ensure_demo_users
    from app.demo.loader import load_demo
    from app.extensions import db

    with app.app_context():
        summary = load_demo(db.session)
        db.session.commit()
        if summary:
            print("Demo data loaded:", ", ".join(f"{k} {v}" for k, v in summary.items()))
        password = ensure_demo_users()
    return app, password


def _start_worker():
    """The demo's job worker: its own process (`flask --app run worker`), stopped with the demo."""
    import atexit
    import os
    import subprocess
    from pathlib import Path

    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "run", "worker"],
        cwd=Path(__file__).resolve().parent,
        env=os.environ.copy(),
    )
    atexit.register(worker.terminate)
    return worker


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Run the Lindungi back-office.")
    parser.add_argument("--demo", action="store_true", help="migrate, load demo data and users")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    if args.demo:
        app, password = _demo_app()
        worker = _start_worker()
        print(f"Job worker started (pid {worker.pid}): batch checks, reports, clean-ups")
        print(f"\nLindungi is running at http://{args.host}:{args.port}/")
        print("Demo users: admin, staf, supervisor, ptsp, operator, auditor")
        print(f"Password for every demo user: {password}\n")
    else:
        app = create_app()
    make_server(app, args.host, args.port, args.threads).run()


app = create_app() if __name__ != "__main__" else None

if __name__ == "__main__":
    main(sys.argv[1:])
