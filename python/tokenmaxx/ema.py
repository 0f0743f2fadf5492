"""tokenmaxx as a model for EMA Workbench (exploratory modelling, robust decision-making) and
SALib (global sensitivity analysis).

One mapping serves both: **uncertainties** and **levers** are scenario keys by dotted path (as in
sweep files and ``tokenmaxx.scenario`` settings), **outcomes** are figures of the run's summary
(summary.json). EMA Workbench needs parameter names that are Python identifiers, so a key's dots
become ``__`` there (``behaviour.norm_weight`` -> ``behaviour__norm_weight``); SALib keeps the
dotted keys.

A parameter's spec is ``(low, high)`` (floats: a real range; ints: an integer range) or a list
of values (categories: numbers, booleans, text, or dicts such as
``{"scope": "org", "visibility": "public"}``)::

    from ema_workbench import perform_experiments
    import tokenmaxx.ema

    m = tokenmaxx.ema.model(
        "target-only",
        uncertainties=tokenmaxx.ema.priors("default"),          # the shipped priors' ranges
        levers={"policy.costs_visible": [False, True]},
        outcomes={"net_value_per_employee_year_usd": "max", "padding_share": "min"},
        employees=500, weeks=26,
    )
    experiments, outcomes = perform_experiments(m, scenarios=16, policies=2)

ema_workbench is imported only by :func:`model`; SALib is not imported at all (its functions
take the plain dict :func:`salib_problem` returns, and :func:`evaluate` runs its samples).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping, Sequence, Union

import tokenmaxx
from . import _native

Spec = Union[tuple, list]

#: Figures a model reports when ``outcomes`` is not given.
DEFAULT_OUTCOMES: tuple[str, ...] = (
    "net_value_per_employee_year_usd",
    "padding_share",
    "output_uplift",
    "annual_cost_per_employee_usd",
)


def priors(spec: str = "default") -> dict[str, tuple[float, float]]:
    """The ranges of a priors file (``"default"``: the shipped scenarios/priors/unanchored.toml,
    the parameters without a published anchor), as uncertainties: dotted key -> (low, high)."""
    return {key: (low, high) for key, low, high in _native.priors(spec)}


def ema_name(key: str) -> str:
    """A dotted scenario key as an EMA Workbench parameter name (``.`` -> ``__``)."""
    return key.replace(".", "__")


def scenario_key(name: str) -> str:
    """An EMA Workbench parameter name back as a dotted scenario key (``__`` -> ``.``)."""
    return name.replace("__", ".")


def label(value: Any) -> Any:
    """A lever's or uncertainty's value as the EMA category that stands for it: a number, a
    boolean or text as itself, a dict or list as its JSON text (use it in ``ema_workbench.Policy``
    and ``Scenario``)."""
    if isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True)


def _categories(values: Sequence[Any]) -> tuple[list[Any], Callable[[Any], Any]]:
    """EMA categories for `values` (dicts as JSON text) and the decoder back to a value."""
    labels = [label(v) for v in values]
    table = {json.dumps(lab): v for lab, v in zip(labels, values)}
    return labels, lambda v: table.get(json.dumps(v), v)


def _parameter(ema: Any, key: str, spec: Spec) -> tuple[Any, Callable[[Any], Any]]:
    """An EMA parameter for one scenario key, and the decoder of its sampled value."""
    name = ema_name(key)
    if isinstance(spec, tuple) and len(spec) == 2:
        low, high = spec
        if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
            return ema.IntegerParameter(name, low, high), int
        return ema.RealParameter(name, float(low), float(high)), float
    if isinstance(spec, list) and spec:
        if all(isinstance(v, bool) for v in spec) and len(spec) == 2:
            return ema.BooleanParameter(name), bool
        labels, decode = _categories(spec)
        return ema.CategoricalParameter(name, labels), decode
    raise ValueError(f"`{key}`: a parameter is (low, high) or a non-empty list of values, not {spec!r}")


def run_point(
    scenario: str,
    values: Mapping[str, Any],
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    employees: int | None = None,
    weeks: int | None = None,
    seed: int | None = None,
    replications: int = 1,
    settings: Mapping[str, Any] | None = None,
) -> dict[str, float]:
    """Run `scenario` with `settings` and `values` (dotted keys) and return the `outcomes`
    (summary figures), averaged over `replications` replications of the seed (an undefined
    figure, such as ROI without spend, is NaN)."""
    s = tokenmaxx.scenario(scenario, {**(settings or {}), **values})
    sums = {o: 0.0 for o in outcomes}
    for r in range(replications):
        summary = s.run(seed=seed, employees=employees, weeks=weeks, replication=r).summary
        for o in outcomes:
            if o not in summary:
                raise ValueError(f"`{o}` is not a summary figure; the figures: {', '.join(summary)}")
            v = summary[o]
            sums[o] += float("nan") if v is None else float(v)
    return {o: v / replications for o, v in sums.items()}


def model(
    scenario: str = "amazon-2026",
    uncertainties: Mapping[str, Spec] | None = None,
    levers: Mapping[str, Spec] | None = None,
    outcomes: Union[Sequence[str], Mapping[str, str]] = DEFAULT_OUTCOMES,
    employees: int | None = None,
    weeks: int | None = None,
    seed: int | None = None,
    replications: int = 1,
    settings: Mapping[str, Any] | None = None,
    name: str = "tokenmaxx",
) -> Any:
    """An ``ema_workbench.Model`` of `scenario`: each experiment runs it with its uncertainties'
    and levers' values set by dotted key (on top of `settings`) and reports `outcomes`.

    `outcomes` is a list of summary figures, or a dict figure -> ``"max"``, ``"min"`` or
    ``"info"`` (the direction EMA's optimisation and robustness metrics use). Every experiment
    runs with the same seed (common random numbers; default the scenario's), averaged over
    `replications` replications. Needs ``pip install ema_workbench``.
    """
    try:
        import ema_workbench as ema
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("tokenmaxx.ema.model needs EMA Workbench: pip install ema_workbench") from e
    kinds = dict(outcomes) if isinstance(outcomes, Mapping) else {o: "info" for o in outcomes}
    # Checks the scenario, the settings and every key before any experiment.
    base = tokenmaxx.scenario(scenario, settings or {})
    decoders: dict[str, Callable[[Any], Any]] = {}
    params: dict[str, list[Any]] = {"uncertainties": [], "levers": []}
    for group, specs in (("uncertainties", uncertainties or {}), ("levers", levers or {})):
        for key, spec in specs.items():
            p, decode = _parameter(ema, key, spec)
            params[group].append(p)
            decoders[p.name] = decode
    figures = list(kinds)

    def function(**kwargs: Any) -> dict[str, float]:
        values = {scenario_key(k): decoders[k](v) if k in decoders else v for k, v in kwargs.items()}
        return run_point(scenario, values, figures, employees, weeks, seed if seed is not None else base.seed,
                         replications, settings)

    m = ema.Model(name, function=function)
    m.uncertainties = params["uncertainties"]
    m.levers = params["levers"]
    direction = {"max": ema.ScalarOutcome.MAXIMIZE, "min": ema.ScalarOutcome.MINIMIZE, "info": ema.ScalarOutcome.INFO}
    for o, k in kinds.items():
        if k not in direction:
            raise ValueError(f"outcome `{o}`: kind {k!r} is not one of max, min, info")
    m.outcomes = [ema.ScalarOutcome(o, kind=direction[k]) for o, k in kinds.items()]
    return m


def salib_problem(uncertainties: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """A SALib problem over ranges of scenario keys: ``{"num_vars", "names", "bounds"}`` with the
    dotted keys as names (e.g. ``salib_problem(priors("default"))``)."""
    for key, spec in uncertainties.items():
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise ValueError(f"`{key}`: SALib needs a (low, high) range, not {spec!r}")
    return {
        "num_vars": len(uncertainties),
        "names": list(uncertainties),
        "bounds": [[float(lo), float(hi)] for lo, hi in uncertainties.values()],
    }


def evaluate(
    problem: Mapping[str, Any],
    samples: Any,
    outcome: str = "net_value_per_employee_year_usd",
    scenario: str = "amazon-2026",
    employees: int | None = None,
    weeks: int | None = None,
    seed: int | None = None,
    settings: Mapping[str, Any] | None = None,
) -> list[float]:
    """Run one experiment per row of `samples` (a SALib sample over `problem`) and return the
    figure `outcome` of each, in order: the ``Y`` SALib's ``analyze`` functions take
    (``numpy.asarray`` it)."""
    names = list(problem["names"])
    out = []
    for row in samples:
        values = {k: float(v) for k, v in zip(names, row)}
        out.append(run_point(scenario, values, [outcome], employees, weeks, seed, 1, settings)[outcome])
    return out
