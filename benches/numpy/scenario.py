"""Scenario files for the numpy yardstick: defaults (docs/model.md section 9, docs/guide/scenarios.md)
merged with a scenario's TOML and the files it extends.

Only what model.py implements is accepted: a scenario using a lever it leaves out (outcome metrics,
team-scope boards) is refused with a message rather than run wrongly.
"""

import copy
import pathlib
import tomllib

SCENARIOS = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def _dist(kind, **params):
    return {"dist": kind, **params}


def _group(share, ai_fit):
    return {
        "share": share,
        "skill": _dist("lognormal", mu=0.0, sigma=0.45),
        "ai_fit": ai_fit,
        "proficiency": _dist("beta", a=5.0, b=3.0),
        "career_concern": _dist("beta", a=2.0, b=2.0),
        "status_drive": _dist("beta", a=2.0, b=5.0),
        "gaming_aversion": _dist("gamma", shape=1.0, scale=1.0),
        "token_intensity": _dist("lognormal", mu=0.0, sigma=0.9),
        "trust": _dist("beta", a=5.0, b=3.0),
        "optimism": _dist("uniform", low=-0.1, high=0.3),
    }


# The order of section 2.2's table: the order traits are drawn in.
TRAITS = ["skill", "ai_fit", "proficiency", "career_concern", "status_drive",
          "gaming_aversion", "token_intensity", "trust", "optimism"]

DEFAULTS = {
    "seed": 42,
    "weeks": 52,
    "employees": 10_000,
    "team_size": 8,
    "population": {
        "developers": _group(0.6, _dist("beta", a=2.0, b=3.0)),
        "others": _group(0.4, _dist("beta", a=1.5, b=4.0)),
    },
    "behaviour": {
        "uplift": 0.85, "token_scale": 1.6e7, "effort_cost": 0.2, "week_noise": 0.3,
        "learn_rate": 0.04, "perception_learn": 0.03, "pad_scale": 4e7, "bot_leverage": 5.0,
        "norm_weight": 0.5, "risk_aversion": 1.0, "choice_temperature": 0.05,
        "target_weight": 1.0, "status_weight": 2.0, "rank_weight": 1.0, "revise_bot": 0.1,
        "revise_manual": 0.6, "revise_bot_on_change": 0.3, "statement_erosion": 0.3,
        "monitoring0": 0.3, "private_monitoring_factor": 0.3, "team_audience": 0.6,
        "price_weight": 5.0, "top_weight": 2.0, "top_leapfrog": 1.25, "board_notice": 0.5,
        "board_imitation": 1.0, "compliance_memory": 0.1, "compliance_half_life": 13.0,
        "split_scale": 0.5, "split_gain_cycle_time": 0.2, "split_gain_incident_adjusted": 0.4,
    },
    "bots": {
        "bot_tokens": 1e7, "bot_uplift": 0.15, "tokens_per_action": 1e5, "incident_rate": 1e-4,
        "build_innovation": 0.01, "build_imitation": 0.15, "scope_factor_scoped": 0.25,
        "scope_factor_least_privilege": 0.04,
        "incident_cost": _dist("lognormal", mu=-0.6931471805599453, sigma=0.8),
    },
    "adoption": {
        "rollout_week": 0, "initial_share": 0.9, "innovation": 0.02, "imitation_team": 0.3,
        "imitation_org": 0.15, "revise_use": 0.1, "mandate_conversion": 0.05,
        "forget_rate": 0.01, "reactance": 0.0,
    },
    "work": {
        "novice_drag": 0.8, "novice_gain": 0.7, "familiar_share": 0.028,
        "review_capacity": 0.065, "unreviewed_base": 0.18, "review_drain": 0.005,
        "review_abandon": 0.018, "review_catch": 0.75, "defect_ai": 0.22, "defect_cost": 0.25,
        "rework_rate": 0.05, "pad_time": 0.01, "noise_per_action": 1e-5, "split_time": 0.03,
        "split_review": 0.5,
    },
    "money": {"price_usd_per_mtok": 1.5, "salary_usd": 200_000.0, "discount_rate": 0.10},
    "policy": {},
    "timeline": [],
}

POLICY_DEFAULTS = {
    "target": {"share": 0.8, "theta": 5e5, "applies_to": ["developers"]},
    "leaderboard": {"scope": "org", "visibility": "public"},
    "platform": {"permission_scope": "broad"},
    "statement": {"credibility": 0.5},
    "managers": {"attention": 0.05, "nudge": 0.2, "review_token_weight": 0.1,
                 "review_every": 13, "review_learning": 0.3, "target_pressure": 2.0,
                 "review_noise": 0.05, "review_stakes": 2.0},
    "budget": {},
    "reviews": {"usage_weight": 0.2},
}

# Within one entry, policy changes come in this order (docs/model.md section 6).
POLICY_ORDER = ["target", "leaderboard", "platform", "statement", "managers", "budget",
                "costs_visible", "outcome_metrics", "reviews"]


def _merge(base, layer):
    """Tables merge key by key; anything else is replaced whole. A distribution of another kind
    replaces the old one whole."""
    out = copy.deepcopy(base)
    for key, value in layer.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            if "dist" in value and old.get("dist") != value["dist"]:
                out[key] = copy.deepcopy(value)
            else:
                out[key] = _merge(old, value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read(name_or_path, base_dir=SCENARIOS):
    path = pathlib.Path(name_or_path)
    if not path.suffix:
        path = SCENARIOS / f"{name_or_path}.toml"
    elif not path.is_absolute():
        path = base_dir / path
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    parent = raw.pop("extends", None)
    if parent is None:
        return _merge(DEFAULTS, raw)
    return _merge(_read(parent, path.parent), raw)


def _policy_value(kind, value):
    """A stated policy table replaces the policy whole; unstated fields take defaults."""
    if value == "off" or value is False and kind != "costs_visible":
        return None
    if kind in ("costs_visible",):
        return bool(value)
    if kind == "outcome_metrics":
        if value in (False, "off"):
            return None
        raise SystemExit("benches/numpy: outcome metrics are not implemented (see README)")
    if isinstance(value, dict):
        return {**POLICY_DEFAULTS.get(kind, {}), **value}
    raise SystemExit(f"benches/numpy: policy {kind} = {value!r} is not understood")


def _timeline(sc):
    """Policy changes by week, in the order they apply: [policy] first, then file order."""
    by_week = {}
    entries = [{"week": 0, **sc["policy"]}] + list(sc["timeline"])
    for entry in entries:
        week = int(entry["week"])
        for kind in POLICY_ORDER:
            if kind in entry:
                by_week.setdefault(week, []).append((kind, _policy_value(kind, entry[kind])))
    return by_week


def load(name_or_path, employees=None, weeks=None, seed=None):
    sc = _read(name_or_path)
    for key, value in (("employees", employees), ("weeks", weeks), ("seed", seed)):
        if value is not None:
            sc[key] = value
    sc["changes"] = _timeline(sc)
    for week, changes in sc["changes"].items():
        for kind, value in changes:
            if kind == "leaderboard" and value is not None and value["scope"] != "org":
                raise SystemExit("benches/numpy: team-scope leaderboards are not implemented")
            if kind == "target" and value is not None and "theta_usd" in value:
                price = sc["money"]["price_usd_per_mtok"]
                value["theta"] = value.pop("theta_usd") / price * 1e6
    return sc
