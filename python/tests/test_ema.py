"""The EMA Workbench adapter on a tiny experiment, and the SALib mapping."""
import math

import pytest

import tokenmaxx
import tokenmaxx.ema as tme

BOARD = {"scope": "org", "visibility": "public"}


def test_priors_are_uncertainties_and_a_salib_problem():
    p = tme.priors("default")
    assert p["adoption.reactance"] == (0.0, 0.1)
    problem = tme.salib_problem({k: p[k] for k in ["behaviour.norm_weight", "adoption.reactance"]})
    assert problem == {"num_vars": 2, "names": ["behaviour.norm_weight", "adoption.reactance"],
                       "bounds": [[0.2, 0.8], [0.0, 0.1]]}
    with pytest.raises(ValueError, match="behaviour.uplift"):
        tme.salib_problem({"behaviour.uplift": [0.1, 0.2]})


def test_salib_evaluate_runs_each_sample_row():
    problem = tme.salib_problem({"behaviour.norm_weight": (0.2, 0.8)})
    y = tme.evaluate(problem, [[0.2], [0.8], [0.2]], "padding_share", "meta-leaderboard", employees=200, weeks=8)
    assert len(y) == 3 and y[0] == y[2] and y[0] != y[1]
    direct = tokenmaxx.scenario("meta-leaderboard", {"behaviour.norm_weight": 0.8}).run(employees=200, weeks=8)
    assert y[1] == direct.summary["padding_share"]


def test_run_point_refuses_an_unknown_figure():
    with pytest.raises(ValueError, match="not a summary figure"):
        tme.run_point("baseline", {}, ["no_such_figure"], employees=50, weeks=2)


def test_an_ema_model_runs_a_tiny_experiment():
    ema = pytest.importorskip("ema_workbench", reason="ema_workbench could not be installed")
    m = tme.model(
        "target-only",
        uncertainties={"behaviour.norm_weight": (0.2, 0.8), "adoption.reactance": (0.0, 0.1)},
        levers={"policy.leaderboard": ["off", BOARD]},
        outcomes={"net_value_per_employee_year_usd": "max", "padding_share": "min"},
        employees=150, weeks=8,
    )
    assert [u.name for u in m.uncertainties] == ["behaviour__norm_weight", "adoption__reactance"]
    policies = [ema.Policy("off", policy__leaderboard=tme.label("off")),
                ema.Policy("public", policy__leaderboard=tme.label(BOARD))]
    experiments, outcomes = ema.perform_experiments(m, scenarios=3, policies=policies)
    assert len(experiments) == 6
    pad = outcomes["padding_share"]
    assert len(pad) == 6 and all(not math.isnan(v) for v in pad)
    by_policy = {}
    for policy, v in zip(experiments["policy"].astype(str), pad):
        by_policy.setdefault(policy, []).append(v)
    # A public leaderboard is what makes people pad (docs/guide/findings.md).
    assert min(by_policy["public"]) > max(by_policy["off"])


def test_a_bad_parameter_spec_is_refused_before_any_experiment():
    pytest.importorskip("ema_workbench", reason="ema_workbench could not be installed")
    with pytest.raises(ValueError, match="behaviour.norm_weight"):
        tme.model("baseline", uncertainties={"behaviour.norm_weight": 0.5})
    with pytest.raises(ValueError, match="behaviour.nrom_weight"):
        tme.model("baseline", settings={"behaviour.nrom_weight": 0.5})


def test_the_robust_decision_example_runs_and_names_a_policy():
    pytest.importorskip("ema_workbench", reason="ema_workbench could not be installed")
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "examples" / "robust_decision.py"
    out = subprocess.run([sys.executable, str(script), "--scenarios", "3", "--employees", "120", "--weeks", "6"],
                         check=True, capture_output=True, text=True).stdout
    assert "3 states of the world x 4 policies" in out
    assert "most robust (least maximum regret): board " in out
