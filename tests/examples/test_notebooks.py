"""The notebooks under examples/ run from top to bottom (examples are tests).

They run with few replications here (environment variables the notebooks read), which checks
that they work, not their numbers; ``-m slow`` runs them at the sizes they are written for.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="notebooks need the notebook extra: pip install 'skyshield[notebook]'")
nbclient = pytest.importorskip("nbclient", reason="notebooks need the notebook extra: pip install 'skyshield[notebook]'")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
QUICK = {"SKYSHIELD_EXAMPLE_REPLICATIONS": "2", "SKYSHIELD_EXAMPLE_SAMPLES": "6", "SKYSHIELD_EXAMPLE_WORKERS": "2"}


def _execute(path: Path, env: dict[str, str], tmp_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    os.environ["MPLBACKEND"] = "Agg"
    try:
        nbclient.NotebookClient(nb, timeout=1200, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def test_there_are_the_three_example_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == ["01-first-comparison.ipynb", "02-western-raid.ipynb",
                                           "03-sweep-and-sensitivity.ipynb"]
    for p in NOTEBOOKS:  # stored without outputs: the repository holds the code, a run makes the numbers
        nb = nbformat.read(p, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), p.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = _execute(path, QUICK, tmp_path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in text
    if path.stem.startswith("01"):
        assert "Why:" in text and "Against none" in text
    if path.stem.startswith("02"):
        assert "add.forces[0].type" in text and "patriot-pac4" in text  # the patch's error names its own line
    if path.stem.startswith("03"):
        assert "linear screening" in text and "report.html" in text


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_at_full_size(path: Path, tmp_path: Path) -> None:
    nb = _execute(path, {}, tmp_path)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
