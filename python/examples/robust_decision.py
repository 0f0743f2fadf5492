"""A small robust-decision analysis of tokenmaxx with EMA Workbench.

Which policy holds up across what we do not know? Four policies (the levers: a public token
leaderboard on or off, token costs shown to employees or not) on top of `target-only`, each run
over the same sample of the parameters nobody has measured (the uncertainties: the shipped
priors' ranges). For every policy: its net value per employee-year in the worst and the median
state of the world, and its regret (how far below the best policy of that state it falls); the
robust choice minimises the largest regret.

    pip install ./python ema_workbench
    python python/examples/robust_decision.py [--scenarios 16] [--employees 500] [--weeks 26]

Takes about a minute at the defaults. The same mapping drives SALib: see the end of the file.
"""

import argparse
import warnings

warnings.filterwarnings("ignore", module="ema_workbench")

import polars as pl  # noqa: E402
from ema_workbench import Policy, perform_experiments  # noqa: E402

import tokenmaxx.ema as tme  # noqa: E402

LEADERBOARD = {"scope": "org", "visibility": "public"}
UNCERTAIN = ["behaviour.norm_weight", "behaviour.status_weight", "adoption.reactance", "work.rework_rate"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=16, help="states of the world sampled (Latin hypercube)")
    ap.add_argument("--employees", type=int, default=500)
    ap.add_argument("--weeks", type=int, default=26)
    args = ap.parse_args()

    priors = tme.priors("default")
    model = tme.model(
        "target-only",
        uncertainties={k: priors[k] for k in UNCERTAIN},
        levers={"policy.leaderboard": ["off", LEADERBOARD], "policy.costs_visible": [False, True]},
        outcomes={"net_value_per_employee_year_usd": "max", "padding_share": "min"},
        employees=args.employees,
        weeks=args.weeks,
    )
    board = tme.ema_name("policy.leaderboard")
    costs = tme.ema_name("policy.costs_visible")
    policies = [
        Policy(f"board {b}, costs {'shown' if c else 'hidden'}", **{board: tme.label(value), costs: c})
        for b, value in [("off", "off"), ("public", LEADERBOARD)]
        for c in (False, True)
    ]
    experiments, outcomes = perform_experiments(model, scenarios=args.scenarios, policies=policies)

    runs = pl.DataFrame({
        "scenario": experiments["scenario"].astype(int).to_list(),
        "policy": experiments["policy"].astype(str).to_list(),
        "net_value": outcomes["net_value_per_employee_year_usd"],
        "padding_share": outcomes["padding_share"],
    })
    best = runs.group_by("scenario").agg(pl.col("net_value").max().alias("best"))
    runs = runs.join(best, on="scenario").with_columns((pl.col("best") - pl.col("net_value")).alias("regret"))
    table = runs.group_by("policy").agg(
        pl.col("net_value").min().alias("worst_net_value"),
        pl.col("net_value").median().alias("median_net_value"),
        pl.col("padding_share").median().alias("median_padding"),
        pl.col("regret").max().alias("max_regret"),
    ).sort("max_regret")
    with pl.Config(tbl_cols=-1, tbl_width_chars=120, float_precision=3):
        print(f"{args.scenarios} states of the world x {len(policies)} policies, "
              f"{args.employees} employees x {args.weeks} weeks (net value per employee-year, USD):")
        print(table)
    robust = table.row(0, named=True)
    print(f"most robust (least maximum regret): {robust['policy']}, "
          f"at most ${robust['max_regret']:,.0f} a year per employee below the best policy of any state sampled")


if __name__ == "__main__":
    main()

# SALib on the same mapping (pip install SALib):
#
#   from SALib.sample import saltelli
#   from SALib.analyze import sobol
#   problem = tme.salib_problem({k: priors[k] for k in UNCERTAIN})
#   X = saltelli.sample(problem, 64)
#   Y = tme.evaluate(problem, X, "net_value_per_employee_year_usd", "target-only", employees=300, weeks=26)
#   print(sobol.analyze(problem, numpy.asarray(Y))["ST"])
