"""The `lanzagraph` command as a user runs it: exit codes, output, Party names."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

from lanzagraph.settings import Settings


def run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lanzagraph", *args, "--store", str(settings.store_path)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_obligations_of_georgia_grouped_by_urgency(built_settings: Settings) -> None:
    done = run(built_settings, "obligations", "Georgia")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    require, request, invite = out.index("== REQUIRE"), out.index("== REQUEST"), out.index("== INVITE")
    assert require < request < invite
    assert "III-12" in out[require:request] and "V-17" in out[require:request]
    assert "III-16" in out[request:invite]
    assert "listed in footnote 19" in out
    assert "why: named in the recommendation" in out


@pytest.mark.parametrize("name", ["ge", "GE", "georgia", "Georgia"])
def test_party_names_and_codes(built_settings: Settings, name: str) -> None:
    done = run(built_settings, "obligations", name, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["party"]["code"] == "GE"


def test_moldova_by_short_name(built_settings: Settings) -> None:
    done = run(built_settings, "obligations", "Moldova", "--json")
    answer = json.loads(done.stdout)
    assert answer["party"]["name"] == "Republic of Moldova"
    items = {i["id"]: i for g in answer["groups"] for i in g["recommendations"]}
    assert items["III-16"]["status_notes"][0]["status"] == "found_in_line"


def test_unknown_party_suggests_the_closest_names(built_settings: Settings) -> None:
    done = run(built_settings, "obligations", "Georgie")
    assert done.returncode == 1
    assert "No Party matches 'Georgie'" in done.stderr and "Georgia (GE)" in done.stderr


def test_query_formats(built_settings: Settings) -> None:
    query = ("SELECT ?id WHERE { ?r <http://www.w3.org/2004/02/skos/core#notation> ?id ; "
             "a <https://w3id.org/lanzagraph/ontology#Recommendation> FILTER(STRSTARTS(?id, 'V-1')) } ORDER BY ?id")
    done = run(built_settings, "query", query, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["id", "V-1", "V-10", "V-11", "V-12", "V-13", "V-14", "V-15", "V-16", "V-17",
                                   "V-18", "V-19"]
    bad = run(built_settings, "query", "SELEC nothing")
    assert bad.returncode == 2 and "does not parse" in bad.stderr


def test_validate_exits_0_on_the_real_data(built_settings: Settings) -> None:
    done = run(built_settings, "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 violation(s), 1 warning(s)" in done.stdout
