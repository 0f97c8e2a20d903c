"""The demo's web server: waitress, production-grade, on any platform."""

from __future__ import annotations


def make_server(app, host: str, port: int, threads: int = 8):
    """A waitress server: no debugger, no `Server` banner naming software or version."""
    from waitress import create_server

    return create_server(app, host=host, port=port, threads=threads, ident="")
