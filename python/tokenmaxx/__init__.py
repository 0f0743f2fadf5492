"""tokenmaxx from Python: what will our AI-adoption policy do?

The simulator is the Rust library of this repository; this package loads scenarios, runs and
compares them, and hands the tables over as polars DataFrames (``.to_pandas()`` works with
pandas and pyarrow installed)::

    import tokenmaxx
    run = tokenmaxx.scenario("amazon-2026").run(employees=2000)
    run.weekly.plot.line(x="week", y="padding_share")   # or matplotlib, as you like
    run.summary["padding_share"]

Settings are scenario keys by dotted path, as in sweep files: a dict, or keyword arguments in
which ``__`` stands for ``.``::

    tokenmaxx.scenario("amazon-2026", {"behaviour.uplift": 0.9})
    tokenmaxx.scenario("amazon-2026", behaviour__uplift=0.9, employees=2000)

A bad scenario name, key or value raises ``ValueError`` naming the key and the allowed range,
as the CLI's errors do. Runs are deterministic for a seed and identical to ``tokenmaxx run``'s;
the GIL is released while simulating. The manual: docs/guide/python.md.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union

import polars as pl

from . import _native

__all__ = ["scenario", "compare", "builtins", "Scenario", "Run", "Comparison", "__version__"]
__version__ = _native.version()

PathLike = Union[str, "os.PathLike[str]"]


def builtins() -> dict[str, str]:
    """The built-in scenarios, name -> one-line description (``tokenmaxx scenarios``)."""
    return dict(_native.builtins())


def _settings(settings: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Dotted keys with their values as JSON (kwargs' ``__`` read as ``.``), in order."""
    merged: dict[str, Any] = dict(settings or {})
    for key, value in kwargs.items():
        merged[key.replace("__", ".")] = value
    out = []
    for key, value in merged.items():
        if not isinstance(key, str):
            raise ValueError(f"setting keys are dotted scenario keys (text), not {type(key).__name__}")
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"setting `{key}`: {e}") from None
        out.append((key, text))
    return out


def scenario(name_or_path: PathLike, settings: Mapping[str, Any] | None = None, /, **overrides: Any) -> "Scenario":
    """Load and validate a scenario: a built-in name (see :func:`builtins`) or a scenario file.

    ``settings`` (a dict of dotted keys) and ``overrides`` (keyword arguments, ``__`` for ``.``)
    set scenario keys after the file and its ``extends`` layers are merged, as a sweep sets its
    parameters: ``{"policy.leaderboard": {"scope": "org", "visibility": "public"}}``,
    ``employees=2000``, ``behaviour__uplift=0.9``. Values are numbers, booleans, text, lists or
    dicts (TOML tables).

    Raises ``ValueError`` for an unknown scenario, an unknown key (with the nearest valid one)
    or a value out of range (naming the key and the allowed range).
    """
    source = os.fspath(name_or_path)
    pairs = _settings(settings, overrides)
    return Scenario(_native.load(source, pairs), source, pairs)


class Scenario:
    """A validated scenario. Run it with :meth:`run`; compare several with :func:`compare`."""

    def __init__(self, native: Any, source: str, settings: list[tuple[str, str]]):
        self._native = native
        self.source = source
        self.settings = {k: json.loads(v) for k, v in settings}

    @property
    def name(self) -> str:
        """The scenario's name (its file's ``name``)."""
        return self._native.name

    @property
    def description(self) -> str:
        return self._native.description

    @property
    def seed(self) -> int:
        return self._native.seed

    @property
    def employees(self) -> int:
        return self._native.employees

    @property
    def weeks(self) -> int:
        return self._native.weeks

    @property
    def toml(self) -> str:
        """Every parameter of the scenario as a scenario file (save it, run it with the CLI)."""
        return self._native.resolved_toml

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.settings.items())
        return f"<tokenmaxx.Scenario {self.name} ({self.source!r}{extra}): {self.employees} employees x {self.weeks} weeks>"

    def run(
        self,
        seed: int | None = None,
        employees: int | None = None,
        weeks: int | None = None,
        events: bool | PathLike = False,
        replication: int = 0,
        threads: int | None = None,
    ) -> "Run":
        """Run the scenario; the same as ``tokenmaxx run`` with the same flags.

        ``seed``, ``employees`` and ``weeks`` override the scenario's own (``--seed``,
        ``--employees``, ``--weeks``: timeline changes past a shorter horizon are dropped, see
        ``Run.notes``). ``events=True`` keeps the event log in a temporary file for
        :attr:`Run.events`; a path writes it there (an existing file is never replaced).
        ``replication`` draws another replication of the same seed. ``threads`` (default: all
        cores) does not change the results. The GIL is released while simulating.
        """
        tmp, path, target = None, None, None
        if events is True:
            tmp = tempfile.TemporaryDirectory(prefix="tokenmaxx-events-")
            path = os.path.join(tmp.name, "events.parquet")
        elif events not in (False, None):
            target = Path(os.fspath(events))
            if target.exists():
                raise FileExistsError(f"{target} exists: tokenmaxx does not replace it; choose another path")
            path = str(target.with_name(f".{target.name}.tmp-{os.getpid()}"))
        try:
            native = self._native.run(seed, employees, weeks, replication, path, threads)
        except BaseException:
            if target is not None and path and os.path.exists(path):
                os.remove(path)
            raise
        if target is not None:
            os.replace(path, target)
            path = str(target)
        call = f"tokenmaxx.scenario({self.source!r}{''.join(f', {k!r}: {v!r}' for k, v in self.settings.items())})"
        args = ", ".join(f"{k}={v!r}" for k, v in [("seed", seed), ("employees", employees), ("weeks", weeks)] if v is not None)
        return Run(native, self, path, tmp, f"{call}.run({args})")


class Run:
    """A finished run: its tables, summary, headline, event log and report."""

    def __init__(self, native: Any, scenario: Scenario, events_path: str | None, tmp: Any, command: str):
        self._native = native
        self.scenario = scenario
        self._events_path = events_path
        self._tmp = tmp  # keeps a temporary event log alive as long as the run
        self._command = command
        self._tables: dict[str, pl.DataFrame] = {}
        self.summary: dict[str, Any] = json.loads(native.summary_json())
        """summary.json as a dict: every headline figure of the run."""

    def _table(self, name: str) -> pl.DataFrame:
        if name not in self._tables:
            self._tables[name] = pl.read_parquet(io.BytesIO(self._native.table(name)))
        return self._tables[name]

    @property
    def weekly(self) -> pl.DataFrame:
        """weekly.csv as a DataFrame: one row per week (columns as in docs/model.md)."""
        return self._table("weekly")

    @property
    def agents(self) -> pl.DataFrame:
        """agents.csv as a DataFrame: one row per employee."""
        return self._table("agents")

    @property
    def deciles(self) -> pl.DataFrame:
        """deciles.csv as a DataFrame: users by tokens, in ten groups."""
        return self._table("deciles")

    @property
    def headline(self) -> list[str]:
        """The headline in words, as ``tokenmaxx run`` prints it."""
        return list(self._native.headline())

    @property
    def notes(self) -> list[str]:
        """Notes on the overrides (timeline changes past a shortened horizon)."""
        return list(self._native.notes)

    @property
    def events_path(self) -> str | None:
        """The event log's file (``run(events=...)``), or None."""
        return self._events_path

    @property
    def events(self) -> pl.LazyFrame:
        """The event log (events.parquet) as a lazy frame; needs ``run(events=True)`` or a path.
        A temporary log lives as long as this Run: keep the Run while you use the frame."""
        if self._events_path is None:
            raise ValueError("this run kept no event log: run it with run(events=True)")
        return pl.scan_parquet(self._events_path)

    def report_html(self, charts: bool = True) -> str:
        """report.html's text (the page ``tokenmaxx run`` writes), charts embedded unless
        ``charts=False``."""
        if not charts:
            return self._native.report_html(self._command, None)
        with tempfile.TemporaryDirectory(prefix="tokenmaxx-charts-") as d:
            return self._native.report_html(self._command, d)

    def __repr__(self) -> str:
        s = self.summary
        return f"<tokenmaxx.Run {s.get('scenario')} seed {s.get('seed')}: {s.get('employees')} employees x {s.get('weeks')} weeks>"


class Comparison:
    """A finished comparison: ``tokenmaxx compare``'s tables as DataFrames and its verdict."""

    def __init__(self, native: Any, command: str):
        self._native = native
        self._command = command
        self.names: list[str] = list(native.names)
        """The compared scenarios' names, in order."""
        self.verdict: list[str] = list(native.verdict)
        """The verdict, one sentence per figure (verdict.txt)."""
        self.comparison = self._frame("comparison")
        """comparison.csv: per scenario and figure, mean and 95% interval, and the paired
        difference against the baseline."""
        self.rankings = self._frame("rankings")
        """rankings.csv: how often each pairwise ranking holds over the replications."""
        self.runs = self._frame("runs")
        """runs.csv: every run's figures (and error, for a failed run)."""
        self.weekly_bands = self._frame("weekly_bands")
        """weekly_bands.csv: weekly series' mean and 95% range over replications."""

    def _frame(self, name: str) -> pl.DataFrame:
        return pl.read_csv(self._native.csv(name).encode(), infer_schema_length=None)

    def csv(self, name: str) -> str:
        """The CLI's file ``NAME.csv`` (comparison, rankings, runs, weekly_bands), byte for byte."""
        return self._native.csv(name)

    def report_html(self, chart: bool = True) -> str:
        """report.html's text, comparison.png embedded unless ``chart=False``."""
        if not chart:
            return self._native.report_html(self._command, None)
        with tempfile.TemporaryDirectory(prefix="tokenmaxx-compare-") as d:
            return self._native.report_html(self._command, os.path.join(d, "comparison.png"))


def _as_source(s: Union[PathLike, Scenario]) -> tuple[str, str]:
    if isinstance(s, Scenario):
        if not s.settings:
            return ("source", s.source)
        return ("toml", s._native.table_toml())
    return ("source", os.fspath(s))


def compare(
    scenarios: Sequence[Union[PathLike, Scenario]],
    baseline: Union[int, str, PathLike, Scenario, None] = None,
    replications: int = 20,
    priors: PathLike | None = None,
    seed: int = 42,
    employees: int | None = None,
    weeks: int | None = None,
    threads: int | None = None,
) -> Comparison:
    """Compare policies as ``tokenmaxx compare`` does: every scenario at every replication with
    common random numbers, paired against ``baseline`` (default: the first; an index, a name, a
    source or one of the Scenario objects given).

    ``scenarios`` are built-in names, files or :class:`Scenario` objects (with their settings;
    give variants of one scenario distinct names with the ``name`` setting).
    ``priors`` says where each replication draws the parameters without a published anchor from,
    as the CLI's ``--priors``: ``None`` or ``"calibrated"`` (the default: the draws the joint
    calibration kept), ``"unanchored"`` (the wide ranges), ``"none"`` (fixed parameters: the
    intervals are seed noise only) or a priors file. ``employees`` and ``weeks`` apply to every
    scenario.
    """
    items = list(scenarios)
    sources = [_as_source(s) for s in items]
    if baseline is None:
        index = 0
    elif isinstance(baseline, int) and not isinstance(baseline, bool):
        index = baseline
    else:
        index = next((i for i, s in enumerate(items) if s is baseline), -1)
        if index < 0:
            names = [s.name if isinstance(s, Scenario) else os.fspath(s) for s in items]
            key = baseline.name if isinstance(baseline, Scenario) else os.fspath(baseline)
            index = names.index(key) if key in names else -1
    if not 0 <= index < len(items):
        raise ValueError(f"baseline {baseline!r} is not one of the compared scenarios")
    native = _native.compare(
        sources, index, replications, seed, employees, weeks,
        None if priors is None else os.fspath(priors), threads,
    )
    command = f"tokenmaxx.compare({[s[1] if s[0] == 'source' else '<scenario>' for s in sources]!r}, replications={replications}, seed={seed})"
    return Comparison(native, command)
