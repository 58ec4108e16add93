"""The report opens with the answer, draws differences from zero, labels the Pareto plot
without collisions, gives sensitivity indices on a small design (or says why not), and any
failure fails the command."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner

from skyshield.analysis.fmt import mean_ci_text
from skyshield.analysis.tables import option_menu
from skyshield.cli.main import main
from skyshield.report import build_report, plots
from skyshield.runner import SerialExecutor, run_sweep
from skyshield.store import ResultStore
from tests.store.helpers import resolved, write_experiment

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("answer")
    exp = resolved(write_experiment(d, reps=2, samples=6))  # the shipped example's design, in miniature
    st = ResultStore.open_for(d / "out", exp, (d / "exp.yaml").read_text())
    run_sweep(exp, st, executor=SerialExecutor(), catalog=False)
    return d / "out"


@pytest.fixture(scope="module")
def html(store):
    return build_report(store)


def _sections(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", text)]


def test_the_report_opens_with_the_answer(html) -> None:
    heads = _sections(html)
    assert heads[0] == "The answer" and heads.index("Every metric") > 0
    answer = html[html.index("<h2>The answer</h2>"):html.index("<h2>Every metric</h2>")]
    for part in ("Option menu", "What each option changes against", "Why threats got through", "protection"):
        assert part in answer, part
    assert answer.count("data:image/png;base64") >= 2  # the chart of differences and the option Pareto plot


def test_report_numbers_are_those_of_the_tables_in_one_format(store, html) -> None:
    st = ResultStore.open(store)
    menu = option_menu(st.metrics(), st.options)
    v = menu["umbrella"]["leaked"]
    assert mean_ci_text(v["mean"], *v["ci95"]) in html
    assert " ± " in html and " [" not in re.sub(r"<[^>]+>", "", html.split("<h2>Every metric")[0]).split("The answer")[1]


def test_sensitivity_of_a_small_design_gives_indices_not_nan(html, capfd) -> None:
    sens = html[html.index("<h2>Sensitivity</h2>"):html.index("<h2>Provenance")]
    assert "linear screening" in sens and "R^2 = " in sens
    cells = re.findall(r"<td class=n title='95% bootstrap half-width ([^']*)'>([^<]*)</td>", sens)
    assert cells and all(np.isfinite(float(x)) for _, x in cells)
    assert "nan" not in re.sub(r"<[^>]+>|data:image[^\"']*", "", sens).lower()


def test_any_failure_while_drawing_fails_the_command_with_exit_status_1(store, tmp_path, monkeypatch) -> None:
    def broken(*a, **k):
        raise ValueError("a map that cannot be drawn")

    monkeypatch.setattr(plots, "map_chart", broken)
    res = CliRunner().invoke(main, ["report", str(store), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 1 and isinstance(res.exception, ValueError)
    assert not (tmp_path / "r.html").exists()


def test_pareto_labels_never_overlap_and_the_legend_explains_colour_and_size(monkeypatch) -> None:
    import matplotlib.pyplot as plt

    # Twelve options on two points, six on each (as the option menu often is: many share rung 0
    # and the same protection).
    names = [f"option-with-a-long-name-{i}" for i in range(12)]
    metrics = {n: {"max_rung": {"mean": float(i % 2), "ci95": [i % 2, i % 2]},
                   "protection": {"mean": 0.8 + 0.01 * (i % 2), "ci95": [0.79, 0.81]},
                   "interceptor_cost_usd": {"mean": 1e8 * (1 + i), "ci95": [1e8, 2e9]}} for i, n in enumerate(names)}
    figs = []
    monkeypatch.setattr(plots, "_png", lambda fig: figs.append(fig) or b"png")
    _, front = plots.option_pareto_chart(metrics)
    assert front  # someone is on the front
    (fig,) = figs
    ax = fig.axes[0]
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in ax.texts if t.get_text() in names]
    assert len(boxes) == len(names)
    for i in range(len(boxes)):
        for j in range(i):
            assert not boxes[i].overlaps(boxes[j]), (ax.texts[i].get_text(), ax.texts[j].get_text())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "on the Pareto front" in legend and "dominated" in legend
    assert sum("interceptor cost" in t for t in legend) == 3
    plt.close(fig)
