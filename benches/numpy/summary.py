"""The weekly figures (docs/model.md 8.1) and the summary.json headline figures (8.2, 8.3) that the
numpy yardstick implements."""

import csv
import math

import numpy as np


def _median(x):
    return float(np.median(x)) if len(x) else 0.0


def gini(x):
    """The Gini coefficient of non-negative values (0 for none or a zero sum)."""
    x = np.sort(np.asarray(x, dtype=np.float64))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def week_row(model, t, d, deliv, tooled):
    p, pop, pol = model.p, model.pop, model.pol
    tr = model.tracked
    T, G, P, B, y = d["T"], d["G"], d["P"], d["B"], d["y"]
    S = pop.s.sum()
    theta = pol.target["theta"] if pol.target is not None else 5e5
    reported = float(np.mean(T[tr] >= theta))
    genuine_mask = tr & (G + B >= theta)
    cost = T.sum() * p.price_usd_per_mtok / 1e6
    surveyed = tr & (G > 0) & (pop.s > 0)
    measured = y[surveyed] / pop.s[surveyed] - 1.0
    perceived = d["perceived"][surveyed]
    net = deliv["value"] * p.salary_usd / 52 - cost
    active_costs = T[genuine_mask] * p.price_usd_per_mtok / 1e6
    return {
        "week": t,
        "reported_active_share": reported,
        "genuine_active_share": float(np.mean(G[tr] + B[tr] >= theta)),
        "target_in_force": pol.target is not None,
        "target_met": pol.target is not None and reported >= pol.target["share"],
        "tokens_total": T.sum(), "tokens_genuine": G.sum(), "tokens_padding": P.sum(),
        "tokens_bot": B.sum(),
        "padding_share": P.sum() / T.sum() if T.sum() > 0 else 0.0,
        "output_total": y.sum(), "skill_total": S,
        "value_total": deliv["value"], "cost_usd": cost, "net_value_usd": net,
        "incidents": int(d["incidents"].sum()), "incident_cost": d["inc_cost"].sum(),
        "rework_cost": d["rework"].sum(), "noise_cost": d["noise"].sum(),
        "padding_time_cost": d["pad_time"].sum(),
        "perceived_uplift": _median(perceived), "measured_uplift": _median(measured),
        "say_faster_share": float(np.mean(perceived > 0)) if len(perceived) else 0.0,
        "are_faster_share": float(np.mean(measured > 0)) if len(measured) else 0.0,
        "median_cost_active": _median(active_costs) if len(active_costs) else None,
        "mean_monitoring": float(model.m.mean()),
        "bots_deployed": int(model.has_bot.sum()),
        "work_merged": deliv["merged"], "unreviewed": deliv["unreviewed"],
        "quality_cost": deliv["quality"],
        "review_load": deliv["in_review"] / ((1.0 - p.unreviewed_base) * S) if S > 0 else 0.0,
    }


def write_weekly(rows, path):
    with open(path, "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)


def _horizons(model, rows):
    p, n, weeks = model.p, model.pop.n, model.weeks
    net = np.array([r["net_value_usd"] for r in rows])
    cum = np.cumsum(net)
    disc = np.cumsum(net * (1.0 + p.discount_rate) ** (-np.arange(weeks) / 52.0))
    out = {"npv_usd": float(disc[-1]), "npv_per_employee_year_usd": float(disc[-1] / n * 52 / weeks)}
    below = np.flatnonzero(cum < 0)
    if cum[-1] < 0:
        out["break_even_week"] = None
    else:
        out["break_even_week"] = int(below[-1] + 1) if len(below) else 0
    for h in (26, 52):
        if h <= weeks:
            out[f"net_value_per_employee_year_{h}w_usd"] = float(cum[h - 1] / n * 52 / h)
    return out


def _users(model):
    """Sections 8.2-8.3: deciles of users by run total, the Gini, the median weekly tokens."""
    T, y = model.agent_T, model.agent_y
    users = np.flatnonzero(T > 0)
    order = users[np.lexsort((users, T[users]))]
    n = len(order)
    if n == 0:
        return {"users": 0}
    top = order[n * 9 // 10:]
    med_T, med_y = np.median(T[order]), np.median(y[order])
    return {
        "users": n,
        "top_decile_token_ratio": float(T[top].mean() / med_T),
        "top_decile_output_ratio": float(y[top].mean() / med_y),
        "token_gini_users": gini(T[order]),
        "median_weekly_tokens_per_user": float(med_T / model.weeks),
    }


def _fit_thirds(model):
    pop, weeks = model.pop, model.weeks
    order = np.lexsort((np.arange(pop.n), pop.f))
    n = pop.n
    out = {}
    for k, name in enumerate(("low", "mid", "high")):
        part = order[k * n // 3:(k + 1) * n // 3]
        skill = pop.s[part].sum() * weeks
        out[f"output_uplift_{name}_fit"] = float(model.agent_y[part].sum() / skill - 1) if skill > 0 else 0.0
    return out


def summary(model):
    rows = model.week_rows
    p, n, weeks = model.p, model.pop.n, model.weeks

    def col(k):
        return np.array([r[k] for r in rows], dtype=np.float64)

    T, P = col("tokens_total").sum(), col("tokens_padding").sum()
    S, Y, V = col("skill_total").sum(), col("output_total").sum(), col("value_total").sum()
    cost, net = col("cost_usd").sum(), col("net_value_usd").sum()
    in_force = [r for r in rows if r["target_in_force"]] or rows
    gap = float(np.mean([r["reported_active_share"] - r["genuine_active_share"] for r in in_force]))
    pad = col("padding_share")
    met = [r["week"] for r in rows if r["target_met"]]
    medians = [r["median_cost_active"] for r in rows if r["median_cost_active"] is not None]
    first_q = [r for r in rows if p.rollout_week <= r["week"] <= p.rollout_week + 12]
    out = {
        "employees": n, "weeks": weeks, "seed": model.sc["seed"],
        "tokens_total": T, "tokens_genuine": col("tokens_genuine").sum(), "tokens_padding": P,
        "tokens_bot": col("tokens_bot").sum(),
        "padding_share": P / T if T > 0 else 0.0,
        "peak_padding_share": float(pad.max()), "peak_padding_week": int(np.argmax(pad)),
        "reported_vs_genuine_gap": gap,
        "mean_reported_active_share": float(col("reported_active_share").mean()),
        "mean_genuine_active_share": float(col("genuine_active_share").mean()),
        "first_week_target_met": met[0] if met else None,
        "annual_cost_per_employee_usd": cost / n * 52 / weeks,
        "cost_share_of_salary": cost / n * 52 / weeks / p.salary_usd,
        "median_monthly_cost_per_active_usd": float(np.mean(medians)) * 52 / 12 if medians else 0.0,
        "output_uplift": Y / S - 1.0,
        "value_uplift": V / S,
        "roi": V * p.salary_usd / 52 / cost if cost > 0 else None,
        "net_value_usd": net,
        "net_value_per_employee_year_usd": net / n * 52 / weeks,
        "rework_cost": col("rework_cost").sum(), "noise_cost": col("noise_cost").sum(),
        "padding_time_cost": col("padding_time_cost").sum(),
        "quality_cost": col("quality_cost").sum(),
        "unreviewed_share": col("unreviewed").sum() / col("work_merged").sum(),
        "review_load_last_quarter": float(col("review_load")[-13:].mean()),
        "perceived_uplift_first_quarter": float(np.mean([r["perceived_uplift"] for r in first_q])),
        "measured_uplift_first_quarter": float(np.mean([r["measured_uplift"] for r in first_q])),
        "perceived_uplift": float(col("perceived_uplift").mean()),
        "measured_uplift": float(col("measured_uplift").mean()),
        "say_faster_share": float(col("say_faster_share").mean()),
        "are_faster_share": float(col("are_faster_share").mean()),
        "cost_usd": cost,
        "incidents": int(col("incidents").sum()), "incident_cost": col("incident_cost").sum(),
        "bots_deployed": rows[-1]["bots_deployed"],
    }
    out.update(_users(model))
    out.update(_fit_thirds(model))
    out.update(_horizons(model, rows))
    return {k: (float(v) if isinstance(v, (np.floating,)) else v) for k, v in out.items()}
