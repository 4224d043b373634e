"""Schemathesis fuzzes the live club endpoint, anonymous and as a customer: no 5xx, every error typed (or
GraphQL's own validation), and a refused request writes nothing.

Schemathesis runs from a virtualenv of its own (tests/requirements-fuzz.txt, built once under
~/.cache/saleor-loyalty-fuzz and kept per pinned requirements): it needs graphql-core 3, which cannot
live in Saleor's Python. It reads the schema by introspection like any client and sends a few hundred
valid and invalid operations over HTTP to a live server of Saleor's test settings.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from django.db import connections
from saleor.core.jwt import create_access_token

from saleor_loyalty import ledger
from saleor_loyalty.core.facts import Actor

from .flows import CLUB_URL

HERE = Path(__file__).parent
REQUIREMENTS = HERE.parent / "requirements-fuzz.txt"
CACHE = Path.home() / ".cache" / "saleor-loyalty-fuzz"
EXAMPLES = 2  # per root field and generation mode (valid / invalid), callers in turn: ~350 requests


def fuzz_python() -> Path:
    """The fuzz virtualenv's Python, built on first use; the test is skipped only when it cannot be built."""
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:12]
    home = CACHE / f"venv-{key}"
    python = home / "bin" / "python"
    if python.exists():
        return python
    building = CACHE / f"building-{key}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    try:
        venv.EnvBuilder(with_pip=True).create(building)
        subprocess.run(
            [building / "bin" / "python", "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS],
            check=True,
            capture_output=True,
            timeout=600,
        )
        building.rename(home)  # whole or not at all: a half-built one is never found
    except (OSError, subprocess.SubprocessError) as error:
        shutil.rmtree(building, ignore_errors=True)
        detail = getattr(error, "stderr", b"") or b""
        pytest.skip(f"the schemathesis virtualenv could not be built: {error} {detail.decode()[-500:]}")
    return python


@pytest.fixture
def live_replica(monkeypatch):
    """The live server's threads open their own connections: Saleor's replica alias must name the test database."""
    test_database = connections["default"].settings_dict["NAME"]
    monkeypatch.setitem(connections.settings["replica"], "NAME", test_database)


def is_typed(error: dict) -> bool:
    return bool(((error.get("extensions") or {}).get("exception") or {}).get("code"))


def refused(case: dict) -> bool:
    """Turned down: not a 200, GraphQL errors, or a mutation payload with errors or with nothing in it
    (schemathesis does not always select a payload's `errors`)."""
    body = case["body"]
    if case["status"] != 200 or body.get("errors"):
        return True
    payloads = [value for value in (body.get("data") or {}).values() if isinstance(value, dict)]
    return any(payload.get("errors") or not any(payload.values()) for payload in payloads)


@pytest.mark.django_db(transaction=True)  # the live server's thread must see the test's rows
def test_schemathesis_finds_no_server_error_no_untyped_error_and_no_write_by_refused_input(
    live_replica, live_server, settings, main_club, customer_user, tmp_path
):
    # given a member with points, and the club served live with a fingerprint of its tables beside it
    python = fuzz_python()
    settings.ROOT_URLCONF = "tests.saleor_tier.fuzz_urls"
    ledger.adjust_points(
        ledger.account_for(main_club, customer_user.pk, customer_user.email),
        500,
        "welcome",
        Actor(label="test"),
        "fuzz",
    )
    report = tmp_path / "report.json"

    # when schemathesis sends its valid and invalid operations for every root field, anonymous and as her
    subprocess.run(
        [
            python,
            HERE / "club_fuzz_driver.py",
            f"{live_server.url}{CLUB_URL}",
            f"{live_server.url}/club-fuzz/fingerprint/",
            report,
            "--examples",
            str(EXAMPLES),
            "--token",
            f"customer={create_access_token(customer_user)}",
        ],
        check=True,
        timeout=240,  # the run's bound (about 100 s on a loaded 2-core machine)
    )
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    cases, summary = [line for line in lines if "summary" not in line], lines[-1]

    # then a few hundred requests went out, none failed on the server, every error is typed or a
    # GraphQL validation error (a document refused whole: no path, no data), and nothing refused wrote
    assert summary.get("summary"), "the run did not finish"
    assert len(cases) >= 200, (len(cases), summary)
    assert {case["caller"] for case in cases} == {"anonymous", "customer"}
    server_errors = [case for case in cases if case["status"] >= 500]
    assert server_errors == []
    untyped = [
        (case["field"], case["query"], error)
        for case in cases
        for error in case["body"].get("errors") or []
        if not is_typed(error) and ("path" in error or case["body"].get("data") is not None)
    ]
    assert untyped == []
    written = [
        (case["field"], case["query"], case["changed"]) for case in cases if refused(case) and case["changed"]
    ]
    assert written == []
