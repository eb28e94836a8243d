"""Trend charts as PNG bytes: matplotlib's Agg canvas directly (no pyplot, no global state).

One panel per hashtag: daily views as a line in readable units (thousands, millions or
billions, named on the axis), the trailing mean the trend rules use, and estimated days
(gaps in the data, whose views were spread evenly) as hollow orange markers over a shaded
band, so an estimate never passes for a measurement.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.services.trends import HashtagTrend, TopTrends

UNITS = ((1e9, "billions"), (1e6, "millions"), (1e3, "thousands"), (1.0, ""))
LABEL_COLOURS = {
    "emerging": "#2ca02c",
    "rising": "#ff7f0e",
    "peaking": "#d62728",
    "declining": "#1f77b4",
    "evergreen": "#9467bd",
    "unknown": "#7f7f7f",
}


@dataclass
class Curve:
    """One hashtag's daily series for a chart panel."""

    name: str
    dates: pd.DatetimeIndex
    daily: np.ndarray
    estimated: np.ndarray
    smoothed: np.ndarray | None = None
    label: str | None = None
    note: str | None = None

    @classmethod
    def from_series(
        cls, name: str, series: pd.DataFrame, label: str | None = None, note: str | None = None
    ) -> Curve:
        return cls(
            name=name,
            dates=pd.DatetimeIndex(series["date"]),
            daily=series["daily_views"].to_numpy(dtype=float),
            estimated=series["estimated"].to_numpy(dtype=bool),
            smoothed=series["smoothed"].to_numpy(dtype=float) if "smoothed" in series else None,
            label=label,
            note=note,
        )


def _unit(values: np.ndarray) -> tuple[float, str]:
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if len(finite) else 0.0
    for div, name in UNITS:
        if top >= div:
            return div, name
    return 1.0, ""


def chart_png(curves: Sequence[Curve], title: str, *, dpi: int = 110) -> bytes:
    """A PNG of daily views curves: one panel per curve (up to 3 per row), a title, dates on
    x, "daily views (<unit>)" on y, estimated days marked. Returns the PNG's bytes."""
    buf = io.BytesIO()
    chart_figure(curves, title, dpi=dpi).savefig(buf, format="png")
    return buf.getvalue()


def chart_figure(curves: Sequence[Curve], title: str, *, dpi: int = 110) -> Figure:
    """The figure :func:`chart_png` draws."""
    if not curves:
        raise ValueError("chart_png needs at least one curve")
    n = len(curves)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    width, height = 5.2 * cols, 3.4 * rows + 0.7
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    fig.suptitle(title, fontsize=12, y=1 - 0.2 / height)
    axes = fig.subplots(rows, cols, squeeze=False, gridspec_kw=_margins(width, height, rows, cols))
    for ax, c in zip(axes.flat, curves, strict=False):
        _panel(ax, c)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig


def _margins(width: float, height: float, rows: int, cols: int) -> dict[str, float]:
    """Fixed margins in inches, as the fractions GridSpec takes: room for the title, the
    axis labels and each panel's title. Computed, not measured: matplotlib's constrained
    layout measures every text box and took half of a ten-panel chart's drawing time."""
    gap_x, gap_y = 0.95, 0.85  # between panels: y tick labels + ylabel; xlabel + panel title
    left, right, top, bottom = 0.85, 0.2, 0.75, 0.6
    ax_w = (width - left - right - (cols - 1) * gap_x) / cols
    ax_h = (height - top - bottom - (rows - 1) * gap_y) / rows
    return {
        "left": left / width,
        "right": 1 - right / width,
        "top": 1 - top / height,
        "bottom": bottom / height,
        "wspace": gap_x / ax_w,
        "hspace": gap_y / ax_h,
    }


def _panel(ax: object, c: Curve) -> None:
    div, unit = _unit(np.concatenate([c.daily, c.smoothed if c.smoothed is not None else []]))
    x = c.dates
    y = c.daily / div
    measured = np.where(c.estimated, np.nan, y)
    ax.plot(x, y, color="#bbbbbb", linewidth=0.8, zorder=1)  # the whole line, gaps included
    ax.plot(
        x,
        measured,
        color="#222222",
        linewidth=1.2,
        marker=".",
        markersize=3,
        zorder=3,
        label="measured",
    )
    if c.estimated.any():
        ax.plot(
            x[c.estimated],
            y[c.estimated],
            linestyle="none",
            marker="o",
            markersize=3.5,
            markerfacecolor="none",
            markeredgecolor="#e6550d",
            zorder=4,
            label="estimated (gap spread evenly)",
        )
        _shade(ax, x, c.estimated)
    if c.smoothed is not None and np.isfinite(c.smoothed).any():
        ax.plot(
            x,
            c.smoothed / div,
            color=LABEL_COLOURS.get(c.label or "", "#1f77b4"),
            linewidth=2.0,
            alpha=0.8,
            zorder=2,
            label="trailing mean",
        )
    head = f"#{c.name}" + (f" — {c.label}" if c.label else "")
    ax.set_title(head, fontsize=10, color=LABEL_COLOURS.get(c.label or "", "black"), loc="left")
    if c.note:
        ax.set_title(c.note, fontsize=7, color="#444", loc="right")
    ax.set_ylabel(f"daily views ({unit})" if unit else "daily views")
    ax.set_xlabel("date (UTC)")
    finite = y[np.isfinite(y)]
    top = float(finite.max()) if len(finite) else 1.0
    ax.set_ylim(0, (top or 1.0) * 1.3)  # headroom for the legend
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.4g}"))
    if len(x):  # the whole period up to as_of, also when its last days have no data
        ax.set_xlim(x[0] - pd.Timedelta(hours=12), x[-1] + pd.Timedelta(hours=12))
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", ncols=2, framealpha=0.85)


def _shade(ax: object, x: pd.DatetimeIndex, mask: np.ndarray) -> None:
    """A light band over each run of estimated days."""
    idx = np.flatnonzero(mask)
    starts = idx[np.r_[True, np.diff(idx) > 1]]
    ends = idx[np.r_[np.diff(idx) > 1, True]]
    half = pd.Timedelta(hours=12)
    for s, e in zip(starts, ends, strict=True):
        ax.axvspan(x[s] - half, x[e] + half, color="#fdd0a2", alpha=0.35, linewidth=0, zorder=0)


def hashtag_chart(result: HashtagTrend, *, days: int | None = 180) -> bytes:
    """The /trends hashtag chart: the tag's curve over its last ``days`` days."""
    series = result.series if days is None else result.series.tail(days)
    note = f"as of {result.as_of} · source {result.source}"
    curve = Curve.from_series(result.hashtag, series, result.label, note)
    return chart_png([curve], f"#{result.hashtag}: daily views ({result.region})")


def top_chart(result: TopTrends) -> bytes:
    """The /trends top chart: one small panel per listed hashtag."""
    curves = [
        Curve.from_series(i.hashtag, i.series, i.label)
        for i in result.items
        if i.series is not None and len(i.series)
    ]
    title = f"Top hashtags, {result.period} to {result.as_of} ({result.region})"
    if result.niche:
        title += f", niche {result.niche}"
    return chart_png(curves, title)


def growth_chart(handle: str, history: pd.DataFrame, *, dpi: int = 110) -> bytes:
    """A creator's followers (and views per video, where known) over time, as a PNG: dates
    on x, followers in readable units on the left axis, views per video on the right."""
    h = history.dropna(subset=["followers"]).sort_values("as_of")
    if h.empty:
        raise ValueError("no follower history to draw")
    fig = Figure(figsize=(7.0, 3.8), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    div, unit = _unit(h["followers"].to_numpy(dtype=float))
    ax.plot(
        h["as_of"],
        h["followers"] / div,
        color="#222222",
        marker="o",
        markersize=3,
        label="followers",
    )
    ax.set_ylabel(f"followers ({unit})" if unit else "followers")
    views = history.dropna(subset=["views"]).sort_values("as_of")
    if not views.empty:
        right = ax.twinx()
        vdiv, vunit = _unit(views["views"].to_numpy(dtype=float))
        right.plot(
            views["as_of"],
            views["views"] / vdiv,
            color="#25a4ee",
            linestyle="--",
            marker=".",
            label="views per video",
        )
        right.set_ylabel(f"views per video ({vunit})" if vunit else "views per video")
    ax.set_title(f"@{handle}: followers over time ({len(h)} snapshots)")
    ax.set_xlabel("date (UTC)")
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(alpha=0.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def digest_chart(result: TopTrends, *, days: int = 60, dpi: int = 100) -> bytes:
    """The digest's chart: the rising hashtags' daily views over the last ``days`` days in
    one panel (a line each, labelled), estimated days hollow. One small figure: a scheduler
    posting hundreds of digests draws hundreds of these."""
    curves = [
        Curve.from_series(i.hashtag, i.series.tail(days), i.label)
        for i in result.items
        if i.series is not None and len(i.series)
    ][:4]
    if not curves:
        raise ValueError("digest_chart needs at least one curve")
    div, unit = _unit(np.concatenate([c.daily for c in curves]))
    fig = Figure(figsize=(6.4, 3.2), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for c in curves:  # one colour per hashtag; the label is in the legend
        y = c.daily / div
        line = ax.plot(
            c.dates, np.where(c.estimated, np.nan, y), linewidth=1.4, label=f"#{c.name} ({c.label})"
        )
        if c.estimated.any():
            ax.plot(
                c.dates[c.estimated],
                y[c.estimated],
                linestyle="none",
                marker="o",
                markersize=3,
                markerfacecolor="none",
                markeredgecolor=line[0].get_color(),
            )
    ax.set_title(
        f"Rising hashtags: daily views to {result.as_of} ({result.region})", fontsize=10, loc="left"
    )
    ax.set_ylabel(f"daily views ({unit})" if unit else "daily views")
    ax.set_xlabel("date (UTC); hollow dots: estimated days")
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
