"""The shared SPARQL conformance harness (../shared/conformance) against `lanzagraph serve`.

The harness is copied into .cache/conformance and set up there once (its own venv, Comunica from
npm, Jena from Debian when run as root), so ../shared stays untouched."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, LiveServer

HARNESS = REPO.parent / "shared" / "conformance"
CACHE = REPO / ".cache" / "conformance"


@pytest.fixture(scope="module")
def harness() -> Path:
    if not HARNESS.is_dir():
        pytest.fail(f"the conformance harness is missing: {HARNESS}")
    stamp = CACHE / ".ready"
    source_files = sorted(p for p in HARNESS.iterdir() if p.is_file())
    if not stamp.exists() or any(p.stat().st_mtime > stamp.stat().st_mtime for p in source_files):
        shutil.rmtree(CACHE, ignore_errors=True)
        CACHE.mkdir(parents=True)
        for path in source_files:
            shutil.copy2(path, CACHE / path.name)
        done = subprocess.run(["bash", str(CACHE / "setup.sh")], cwd=CACHE, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
        stamp.touch()
    return CACHE


def test_protocol_clients_and_linked_data_suites_pass(harness: Path, live_server: LiveServer) -> None:
    done = subprocess.run(
        ["bash", str(harness / "run_all.sh"), "--endpoint", live_server.url + "/sparql",
         "--resource", live_server.url + "/id/party/ge", "--timeout", "60"],
        cwd=harness, capture_output=True, text=True, timeout=900,
    )
    report = done.stdout + done.stderr
    failures = [line for line in report.splitlines() if line.startswith("FAIL")]
    assert failures == [], "\n".join(failures)
    assert done.returncode == 0, report[-3000:]
    totals = [line for line in report.splitlines() if line.startswith("total:")]
    assert totals and " 0 failed" in totals[-1], totals
