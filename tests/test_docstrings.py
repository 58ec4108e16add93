"""The ``>>>`` examples of every module's docstrings run as written (examples are tests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import skyshield

MODULES = ["skyshield", *sorted(m.name for m in pkgutil.walk_packages(skyshield.__path__, "skyshield.")
                                if not m.name.endswith("__main__"))]


def _examples(name: str) -> list[doctest.DocTest]:
    mod = importlib.import_module(name)
    return [t for t in doctest.DocTestFinder().find(mod, name) if t.examples and t.name.startswith(name)]


@pytest.mark.parametrize("name", [m for m in MODULES if _examples(m)])
def test_docstring_examples_run(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for t in _examples(name):
        runner.run(t, out=report.append)
    res = runner.summarize(verbose=False)
    assert res.failed == 0, "".join(report)


def test_the_public_api_documents_itself_with_examples() -> None:
    import skyshield.api as api

    for fn in (skyshield, api.compare, api.run, api.replay, api.campaign, api.load_scenario, api.Comparison):
        doc = fn.__doc__ or ""
        assert ">>> import skyshield as sk" in doc, fn
    for fn in (api.compare, api.campaign, api.replay):  # numpydoc sections
        assert "Parameters\n    ----------" in (fn.__doc__ or "") or "Raises\n    ------" in (fn.__doc__ or ""), fn
