"""A suite's result and how it is written: ``<suite>.md`` (tables), ``<suite>.json`` (everything, curves
included) and ``<suite>_<plot>.png`` (test error against training time, log-log; needs matplotlib)."""
from __future__ import annotations

import io
import json
import math
import os
import re
from dataclasses import dataclass, field

from .._files import write_bytes, write_text


@dataclass
class Table:
    title: str
    columns: list
    rows: list = field(default_factory=list)   #: lists of cells (str, int, float or None)
    note: str = ""
    sci: bool = False                          #: every float in scientific notation (columns of errors)

    def add(self, *cells):
        if len(cells) != len(self.columns):
            raise ValueError(f"table {self.title!r}: a row needs {len(self.columns)} cells, got {len(cells)}")
        self.rows.append(list(cells))


@dataclass
class Plot:
    """One figure: curves (lines of (time, error) points) and points (single configurations)."""

    name: str
    title: str
    curves: list = field(default_factory=list)   #: dicts: label, times, errors
    points: list = field(default_factory=list)   #: dicts: label, seconds, error, group
    hlines: list = field(default_factory=list)   #: dicts: label, value
    xlabel: str = "training time [s]"
    ylabel: str = "test error (relative L2 of H)"
    xlog: bool = True
    style: str = "steps"                         #: "steps" (training curves) or "line" (sweeps, with markers)


@dataclass
class Report:
    suite: str
    title: str
    mode: str
    notes: list = field(default_factory=list)
    caps: dict = field(default_factory=dict)
    tables: list = field(default_factory=list)
    plots: list = field(default_factory=list)
    data: dict = field(default_factory=dict)     #: raw results for the JSON file

    def table(self, title, columns, note="", sci=False):
        t = Table(title, list(columns), note=note, sci=sci)
        self.tables.append(t)
        return t

    def plot(self, name, title, **kw):
        p = Plot(slug(name), title, **kw)
        self.plots.append(p)
        return p


def note_missing(report, torch=True, swimnetworks=True):
    """Notes the optional parts the suite uses (``torch``, ``swimnetworks``) that are not installed; returns (have
    torch, have swimnetworks)."""
    from ..baselines._torch import torch_version
    from .peers import swimnetworks_version

    have_torch = torch_version() is not None
    have_swim = swimnetworks_version() is not None
    if torch and not have_torch:
        report.notes.append("Gradient baselines skipped: PyTorch is not installed (pip install hamsam[torch]).")
    if swimnetworks and not have_swim:
        report.notes.append("Authors' pipeline skipped: swimnetworks is not installed (pip install hamsam[bench]).")
    return have_torch, have_swim


def mode_note(mode, what):
    """The sentence that says what a reduced mode left out (None in full mode)."""
    if mode == "full":
        return None
    return (f"**{mode} mode**: {what}. The numbers show that the pipeline runs, not the published settings; "
            "run without --quick for those.")


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


def fmt(v, sci=False):
    """Table cell text: floats in 3 significant digits (scientific below 1e-2 and from 1e5, or always with
    ``sci``), None as '-'."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isinf(v) or math.isnan(v):
            return str(v)
        if sci or (v != 0 and (abs(v) < 1e-2 or abs(v) >= 1e5)):
            return f"{v:.2e}"
        return f"{v:.3g}"
    return str(v)


def markdown(report, env, command):
    out = [f"# {report.title}", ""]
    out.append(f"command: `{command}`")
    out.append("")
    out.append(f"mode: **{report.mode}**")
    th = env["threads"]
    pools = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in th.items() if k != "requested")
    la = env["load_average"]
    out.append(f"machine: {env['cpu']}, {env['cores']} cores (1-min load average {la['before']} before, "
               f"{la['after']} after: others' work on a shared machine); threads {th['requested']} ({pools})")
    out.append(f"versions: python {env['python']}, " + ", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    out.append("environment: " + ", ".join(f"{k}={v}" for k, v in env["env"].items()))
    for b in env["blas"]:
        out.append(f"- BLAS in process: {b}")
    if report.caps:
        out += ["", "caps: " + "; ".join(f"{k} = {fmt(v) if isinstance(v, float) else v}"
                                         for k, v in report.caps.items())]
    for n in report.notes:
        out += ["", n]
    for t in report.tables:
        out += ["", f"## {t.title}", ""]
        if t.note:
            out += [t.note, ""]
        out.append("| " + " | ".join(t.columns) + " |")
        out.append("|" + "---|" * len(t.columns))
        for r in t.rows:
            out.append("| " + " | ".join(fmt(c, t.sci) for c in r) + " |")
    if report.plots:
        out += ["", "## Plots", ""]
        for p in report.plots:
            out.append(f"- [{p.title}]({report.suite}_{p.name}.png)")
    return "\n".join(out) + "\n"


def _clean(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def _draw(plot, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # many entries (the 15 optimizers and our samplers): 20 distinct colours and the legend beside the axes
    n_entries = len(plot.curves) + len({p.get("group", p["label"]) for p in plot.points})
    many = n_entries > 10
    colors = [plt.get_cmap("tab20")(i) for i in range(20)] if many else [f"C{i}" for i in range(10)]
    fig, ax = plt.subplots(figsize=(9.5, 5) if many else (7, 4.6))
    for k, c in enumerate(plot.curves):
        pts = [(t, e) for t, e in zip(c["times"], c["errors"]) if t > 0 and math.isfinite(e) and e > 0]
        color = colors[k % len(colors)]
        if pts and plot.style == "steps":
            ax.plot(*zip(*pts), drawstyle="steps-post", label=c["label"], lw=1.4, color=color)
        elif pts:
            ax.plot(*zip(*pts), marker="o", ms=3, label=c["label"], lw=1.2, color=color,
                    ls="--" if c["label"].startswith("authors") else "-")
    styles = {}
    for p in plot.points:
        if not (math.isfinite(p["error"]) and p["error"] > 0 and p["seconds"] > 0):
            continue
        g = p.get("group", p["label"])
        first = g not in styles
        if first:
            k = len(styles)
            styles[g] = dict(marker="osD^vx+*"[k % 8], color=colors[(k + len(plot.curves)) % len(colors)])
        ax.scatter([p["seconds"]], [p["error"]], s=28, label=g if first else None, **styles[g])
    for h in plot.hlines:
        ax.axhline(h["value"], ls="--", lw=0.8, color="gray")
        ax.annotate(h["label"], (0.01, h["value"]), xycoords=("axes fraction", "data"), fontsize=7, color="gray",
                    va="bottom")
    if plot.xlog:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(plot.xlabel)
    ax.set_ylabel(plot.ylabel)
    ax.set_title(plot.title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    if many:
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_bytes(path, buf.getvalue(), overwrite=True)


def write(report, out_dir, env, command):
    """Writes the Markdown, JSON and plots into ``out_dir``; returns the list of files written. Without
    matplotlib the plots are skipped and the Markdown says so."""
    os.makedirs(out_dir, exist_ok=True)
    files = []
    try:
        import matplotlib  # noqa: F401
        can_plot = True
    except ImportError:
        can_plot = False
        report.notes.append("Plots skipped: matplotlib is not installed (pip install hamsam[plot]).")
    if can_plot:
        for p in report.plots:
            path = os.path.join(out_dir, f"{report.suite}_{p.name}.png")
            _draw(p, path)
            files.append(path)
    else:
        report.plots = []
    md = os.path.join(out_dir, f"{report.suite}.md")
    write_text(md, markdown(report, env, command), overwrite=True)
    js = os.path.join(out_dir, f"{report.suite}.json")
    doc = {
        "suite": report.suite,
        "title": report.title,
        "mode": report.mode,
        "command": command,
        "environment": env,
        "caps": report.caps,
        "notes": report.notes,
        "tables": [{"title": t.title, "columns": t.columns, "rows": t.rows, "note": t.note} for t in report.tables],
        "plots": [{"name": p.name, "title": p.title, "xlabel": p.xlabel, "curves": p.curves, "points": p.points,
                   "hlines": p.hlines} for p in report.plots],
        "data": report.data,
    }
    write_text(js, json.dumps(_clean(doc), indent=1), overwrite=True)
    return [md, js] + files
