"""The trend charts' fixed layout: with margins computed instead of measured, every panel's
text (titles, notes, tick labels, axis labels, legend) must stay inside the figure and clear
of its neighbours, for every panel count /trends top can draw and for large numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from bot.render.charts import Curve, chart_figure, chart_png


def _curve(i: int, scale: float, days: int = 180) -> Curve:
    rng = np.random.default_rng(i)
    daily = rng.lognormal(scale, 0.6, days) * 37.0  # long tick labels: "1,250", "0.125"
    estimated = rng.random(days) < 0.1
    return Curve(
        name=f"verylonghashtagname{i}",
        dates=pd.date_range("2024-01-01", periods=days),
        daily=daily,
        estimated=estimated,
        smoothed=pd.Series(daily).rolling(7, min_periods=1).mean().to_numpy(),
        label="breakout" if i % 2 else "declining",
        note="as of 2024-06-28 · source export.csv",
    )


@pytest.mark.parametrize("panels", [1, 2, 3, 4, 7, 10])
def test_panels_text_stays_inside_and_apart(panels: int) -> None:
    curves = [_curve(i, scale=4 + 2.1 * i) for i in range(panels)]
    fig = chart_figure(curves, "Top hashtags, 2024-06-21 to 2024-06-28 (GLOBAL)")
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    page = fig.bbox
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
    assert len(boxes) == panels
    for box in boxes:  # the whole panel, labels included, is on the page
        assert box.x0 >= page.x0 and box.y0 >= page.y0
        assert box.x1 <= page.x1 and box.y1 <= page.y1
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), f"panels overlap: {a} and {b}"
    suptitle = fig._suptitle.get_window_extent(renderer)
    assert suptitle.y1 <= page.y1 and all(not suptitle.overlaps(b) for b in boxes)


def test_png_is_drawn_from_the_figure() -> None:
    png = chart_png([_curve(0, 9.0)], "one")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="at least one curve"):
        chart_png([], "none")
