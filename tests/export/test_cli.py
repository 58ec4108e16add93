"""`skyshield export`: files written, the README line as written, clear errors (exit 2)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from skyshield.cli.main import main

from .conftest import OPTION, REPLICATION, SCENARIO, SEED

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["geojson", "acmi", "dis"])
def test_writes_the_same_bytes_as_the_api_for_that_replication(fmt, tr, tmp_path) -> None:
    from skyshield.export import format_module

    out = tmp_path / f"x.{fmt}"
    res = _run(["export", str(SCENARIO), "--format", fmt, "--option", OPTION, "--seed", str(SEED),
                "-r", str(REPLICATION), "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["counts"] == tr.counts() and doc["bytes"] == out.stat().st_size
    assert out.read_bytes() == format_module(fmt).to_bytes(tr)


def test_readme_export_line_runs_as_written(tmp_path, monkeypatch) -> None:
    readme = (REPO / "README.md").read_text()
    (line,) = [x for x in readme.splitlines() if x.startswith("skyshield export ")]
    args = shlex.split(line.split("#")[0])[1:]
    monkeypatch.chdir(tmp_path)
    res = _run(args)
    assert res.exit_code == 0, res.output
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["eastern-flank-night-raid-v1-umbrella-seed7-rep0.txt.acmi"]
    assert re.search(r"wrote .*: eastern-flank-night-raid-v1 under umbrella, seed 7, replication 0: \d+ threats", res.output)
    assert files[0].read_text().startswith("FileType=text/acmi/tacview\nFileVersion=2.2\n")


@pytest.mark.parametrize("args, message", [
    (["--format", "kmz"], "Invalid value for '--format'"),
    (["--format", "kml", "--option", "umbrela"], "--option: unknown option 'umbrela'; did you mean 'umbrella'"),
    (["--format", "kml", "--udp", "3000"], "--udp: only the dis format can be sent over UDP"),
    (["--format", "dis", "--udp", "70000"], "--udp: must be a port number 1-65535"),
    (["--format", "geojson", "-r", "-1"], "--replication: must be a whole number of at least 0"),
    (["--format", "geojson", "--step", "0"], "--step: must be a number of seconds"),
    (["--format", "geojson", "--start", "noon"], "--start: must be an ISO 8601 UTC time"),
    (["--format", "geojson", "-o", "no-such-folder/x.geojson"], "the folder no-such-folder does not exist"),
])
def test_bad_arguments_exit_2_naming_the_flag(args, message) -> None:
    res = _run(["export", str(SCENARIO), *args])
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output


def test_an_unknown_run_exits_2_listing_the_built_in_scenarios() -> None:
    res = _run(["export", "no-such-scenario-v1", "--format", "kml"])
    assert res.exit_code == 2
    assert "not a built-in scenario id" in res.output and "eastern-flank-night-raid-v1" in res.output
