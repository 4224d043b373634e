"""Apollo's composition and gateway (npm, in Node) as child processes with bounded lifetimes."""

import contextlib
import json
import os
import selectors
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

FOLDER = Path(__file__).parent / "gateway"
INSTALL_SECONDS = 600
COMPOSE_SECONDS = 240
START_SECONDS = 120
GATEWAY_LIFETIME_SECONDS = 300


def node_or_skip() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip(
            "Node.js 20+ and npm are needed to compose with @apollo/composition and run @apollo/gateway"
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    if int(version.strip().lstrip("v").split(".")[0]) < 20:
        pytest.skip(f"Node.js 20+ is needed for @apollo/server 5; found {version.strip()}")
    return node


def install(node: str) -> None:
    """`npm ci` from the committed lockfile, unless node_modules is already newer than it."""
    installed = FOLDER / "node_modules" / ".package-lock.json"
    lock = FOLDER / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [shutil.which("npm"), "ci", "--no-audit", "--no-fund"],
        cwd=FOLDER,
        check=True,
        timeout=INSTALL_SECONDS,
        capture_output=True,
    )


def compose(node: str, subgraphs: list[dict]) -> dict:
    """`{"supergraphSdl": …}` or `{"errors": [...]}` from @apollo/composition."""
    done = subprocess.run(
        [node, "compose.mjs"],
        cwd=FOLDER,
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        timeout=COMPOSE_SECONDS,
    )
    if not done.stdout:
        raise AssertionError(f"composition crashed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


@contextlib.contextmanager
def gateway(node: str, supergraph_path: Path):
    """A running gateway's URL; the process is killed on exit and also ends itself after its lifetime."""
    process = subprocess.Popen(
        [node, "gateway.mjs", str(supergraph_path)],
        cwd=FOLDER,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "GATEWAY_LIFETIME_SECONDS": str(GATEWAY_LIFETIME_SECONDS)},
    )
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=START_SECONDS):
            raise AssertionError(f"the gateway did not start within {START_SECONDS}s")
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the gateway exited: {process.stderr.read()[-2000:]}")
        yield json.loads(line)["url"]
    finally:
        process.kill()
        process.wait(timeout=10)


def post(url: str, query: str, token: str | None = None, variables: dict | None = None) -> dict:
    """A GraphQL POST as a storefront sends it."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps({"query": query, "variables": variables or {}}).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())
