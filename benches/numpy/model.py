"""A vectorised numpy implementation of tokenmaxx's model v3, written from docs/model.md alone.

The yardstick of issue #34: the weekly step of docs/model.md over arrays of all agents (no Python
loop over agents; loops over weeks and over a handful of candidates), with numpy's own random
generator (PCG64 seeded from the scenario seed). It cannot reproduce tokenmaxx's draws, only their
distributions. It prints the headline figures of summary.json that it implements, as JSON.

    /work/main/.venv/bin/python benches/numpy/model.py amazon-2026 --employees 100000

Section numbers below are docs/model.md's. README.md beside this file lists what is left out and
the rules that had to be guessed.
"""

import argparse
import json
import math
import sys
import time

import numpy as np

import scenario as scenario_mod
import summary as summary_mod


class Params:
    """The scenario's parameters as attributes (section 9)."""

    def __init__(self, sc):
        self.__dict__.update(sc["behaviour"])
        self.__dict__.update(sc["adoption"])
        self.__dict__.update(sc["work"])
        self.__dict__.update({k: v for k, v in sc["bots"].items() if k != "incident_cost"})
        self.__dict__.update(sc["money"])
        self.incident_cost = sc["bots"]["incident_cost"]
        self.kappa = self.token_scale


def draw(rng, dist, n):
    kind = dist["dist"]
    if kind == "lognormal":
        return rng.lognormal(dist["mu"], dist["sigma"], n)
    if kind == "beta":
        return rng.beta(dist["a"], dist["b"], n)
    if kind == "gamma":
        return rng.gamma(dist["shape"], dist["scale"], n)
    if kind == "uniform":
        return rng.uniform(dist["low"], dist["high"], n)
    if kind == "constant":
        return np.full(n, float(dist["value"]))
    raise SystemExit(f"benches/numpy: distribution {kind} is not understood")


def group_counts(shares, n):
    """Section 5.1: each share times n rounded down, the rest to the largest remainders."""
    exact = np.array(shares) * n
    counts = np.floor(exact).astype(np.int64)
    left = n - counts.sum()
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:left]] += 1
    return counts


class Population:
    """Traits (sections 2.2, 5.2) and the fixed layout of groups and teams (section 5.1)."""

    def __init__(self, sc, p, rng):
        n = sc["employees"]
        names = sorted(sc["population"])
        groups = [sc["population"][g] for g in names]
        counts = group_counts([g["share"] for g in groups], n)
        self.n = n
        self.group_names = names
        self.group = np.repeat(np.arange(len(names)), counts)
        traits = {t: np.empty(n) for t in scenario_mod.TRAITS}
        start = 0
        for g, count in zip(groups, counts):
            for t in scenario_mod.TRAITS:
                traits[t][start:start + count] = draw(rng, g[t], count)
            start += count
        for t in ("ai_fit", "proficiency", "career_concern", "status_drive", "trust"):
            np.clip(traits[t], 0.0, 1.0, out=traits[t])
        np.maximum(traits["skill"], 0.0, out=traits["skill"])
        np.maximum(traits["gaming_aversion"], 0.0, out=traits["gaming_aversion"])
        np.maximum(traits["token_intensity"], 1e-6, out=traits["token_intensity"])
        if p.rollout_week == 0 and p.initial_share > 0:
            traits["proficiency"] = settled_proficiency(p, traits)
        for t in scenario_mod.TRAITS:  # single precision once drawn (section 2.2)
            traits[t] = traits[t].astype(np.float32).astype(np.float64)
        self.s = traits["skill"]
        self.f = traits["ai_fit"]
        self.q0 = traits["proficiency"]
        self.c = traits["career_concern"]
        self.r = traits["status_drive"]
        self.g = traits["gaming_aversion"]
        self.w = traits["token_intensity"]
        self.tau = traits["trust"]
        self.o0 = traits["optimism"]
        self.team = np.arange(n) // sc["team_size"]
        self.n_teams = int(self.team[-1]) + 1
        self.team_n = np.bincount(self.team).astype(np.float64)
        self.phi = np.minimum(1.0, p.familiar_share * self.s)

    def team_sum(self, x):
        return np.bincount(self.team, weights=x, minlength=self.n_teams)

    def team_share(self, mask):
        return self.team_sum(mask.astype(np.float64)) / self.team_n


def reachable_gain(p, f, q):
    return p.uplift * f * (p.novice_gain + (1.0 - p.novice_gain) * q)


def best_response(p, s, f, w, q, o, pc):
    """Section 7.2: L* = w * max(0, s*b / (effort_cost/kappa + w*pc) - kappa)."""
    b = reachable_gain(p, f, q) + o
    e = np.maximum(0.0, s * b / (p.effort_cost / p.kappa + w * pc) - p.kappa)
    return w * e


def settled_proficiency(p, t):
    """Section 5.4: the fixed point of learning and forgetting at one's own habit, no price, no cap."""
    q = t["proficiency"].copy()
    for _ in range(50):
        e = best_response(p, t["skill"], t["ai_fit"], t["token_intensity"], q, t["optimism"], 0.0)
        e = e / t["token_intensity"]
        u = e / (e + p.kappa)
        num = p.learn_rate * u
        den = num + p.forget_rate * (1.0 - u)
        nxt = np.where(den > 0, num / np.where(den > 0, den, 1.0), q)
        if np.array_equal(nxt, q):
            break
        q = nxt
    return q


def nearest_rank(sorted_totals, prob):
    """Section 7.5.2: the k-th smallest, k = ceil(p n), at least 1."""
    n = len(sorted_totals)
    k = max(1, math.ceil(prob * n))
    return sorted_totals[k - 1]


def share_at_or_below(sorted_values, x):
    """F(x): the share of a distribution at or below x (section 7.14; exact here)."""
    return np.searchsorted(sorted_values, x, side="right") / len(sorted_values)


class Policies:
    """The policies in force (section 2.5) and the flags the fold keeps about them."""

    def __init__(self):
        self.target = None
        self.leaderboard = None
        self.platform = None
        self.managers = dict(scenario_mod.POLICY_DEFAULTS["managers"])
        self.budget = None
        self.costs_visible = False
        self.reviews = None
        self.seen = False          # leaderboard_seen
        self.board_change = None   # week of the last leaderboard change
        self.remembered = None     # the org-wide totals last seen before a board was hidden

    def visible(self):
        return self.leaderboard is not None and self.leaderboard["visibility"] in ("public", "team")


class Model:
    def __init__(self, sc, bot_change="guide"):
        self.sc = sc
        self.bot_change = bot_change
        self.p = Params(sc)
        self.rng = np.random.Generator(np.random.PCG64(sc["seed"]))
        self.pop = Population(sc, self.p, self.rng)
        self.weeks = sc["weeks"]
        self.pol = Policies()
        n, nt = self.pop.n, self.pop.n_teams
        # Section 2.3.
        self.q = self.pop.q0.copy()
        self.o = self.pop.o0.copy()
        self.m = np.full(n, self.p.monitoring0)
        self.L = np.zeros(n)
        self.has_bot = np.zeros(n, bool)
        self.aware = np.zeros(n, bool)
        self.pressure = np.zeros(n)
        self.G = np.zeros(n)
        self.P = np.zeros(n)
        self.B = np.zeros(n)
        self.bot_actions = np.zeros(n)
        self.standing = np.zeros(nt)     # each team's statement credibility c_j
        self.queue = None                # per team: work waiting in review and its defects
        self.queue_d = None
        self.tracked = self._tracked()
        self.member = np.zeros(n, bool)
        self.week_rows = []
        self.agent_T = np.zeros(n)
        self.agent_y = np.zeros(n)

    def _tracked(self):
        """Section 8.1: the groups of the first target at any week, else developers, else all."""
        names = self.pop.group_names
        for week in sorted(self.sc["changes"]):
            for kind, value in self.sc["changes"][week]:
                if kind == "target" and value is not None:
                    ids = [names.index(g) for g in value["applies_to"]]
                    return np.isin(self.pop.group, ids)
        if "developers" in names:
            return self.pop.group == names.index("developers")
        return np.ones(self.pop.n, bool)

    # ---- phase 1: open -------------------------------------------------------------------
    def open_week(self, t):
        pol = self.pol
        for kind, value in self.sc["changes"].get(t, []):
            if kind == "target":
                pol.target = value
                names = self.pop.group_names
                ids = [names.index(g) for g in value["applies_to"]] if value else []
                self.member = np.isin(self.pop.group, ids)
            elif kind == "leaderboard":
                was_visible = pol.visible()
                pol.leaderboard = value
                pol.board_change = t
                if value is None:
                    self.aware[:] = False
                    pol.remembered = None
                else:
                    pol.seen = True
                    if pol.visible():
                        pol.remembered = None
                    elif was_visible and t > 0:
                        pol.remembered = np.sort(self.G + self.P + self.B)
            elif kind == "platform":
                pol.platform = value
            elif kind == "statement":
                self.m *= 1.0 - self.pop.tau * value["credibility"]
                self.standing[:] = value["credibility"]
            elif kind == "managers":
                pol.managers = value if value is not None else dict(
                    scenario_mod.POLICY_DEFAULTS["managers"])
            elif kind == "budget":
                pol.budget = value
            elif kind == "costs_visible":
                pol.costs_visible = value
            elif kind == "reviews":
                pol.reviews = value

    def cap(self):
        """Section 7.3: the weekly cap per employee."""
        b = self.pol.budget
        if not b:
            return math.inf
        cap = math.inf
        if "tokens_per_week" in b:
            cap = min(cap, b["tokens_per_week"])
        if "salary_share" in b:
            p = self.p
            cap = min(cap, b["salary_share"] * p.salary_usd / 52 / p.price_usd_per_mtok * 1e6)
        return cap

    def price(self):
        """Section 7.12: pc, the visible price of a token in output units, or 0."""
        p = self.p
        if not self.pol.costs_visible:
            return 0.0
        return p.price_weight * (p.price_usd_per_mtok / 1e6) / (p.salary_usd / 52)

    # ---- phase 2: snapshot ----------------------------------------------------------------
    def snapshot(self, t):
        pop, pol = self.pop, self.pol
        snap = {}
        T_prev = self.G + self.P + self.B
        snap["team_users"] = pop.team_share(self.G > 0)[pop.team]
        snap["team_pad"] = pop.team_share(self.P > 0)[pop.team]
        snap["team_bots"] = pop.team_share(self.has_bot)[pop.team]
        snap["org_users"] = float(np.mean(self.G > 0))
        snap["team_noise"] = (pop.team_sum(self.bot_actions) / pop.team_n)[pop.team]
        # The org-wide distribution of last week's totals: after week 0, once a board has been up.
        dist = None
        if pol.leaderboard is not None:
            if pol.visible() and t > 0 and pol.seen:
                dist = np.sort(T_prev)
            elif not pol.visible():
                dist = pol.remembered
        snap["dist"] = dist
        pressured = False
        if t > 0 and pol.target is not None and self.member.any():
            reached = np.mean(T_prev[self.member] >= pol.target["theta"])
            pressured = reached < pol.target["share"]
        snap["pressured"] = pressured
        return snap

    # ---- phase 3: decide ------------------------------------------------------------------
    def decide(self, t, snap):
        p, pop, pol, rng = self.p, self.pop, self.pol, self.rng
        n = pop.n
        cap, pc = self.cap(), self.price()
        platform_on = pol.platform is not None
        running = self.has_bot & platform_on  # built last week or before (section 3.3)
        d = {"running": running}
        # 1. Bot building (section 7.7).
        u = rng.random(n)
        if platform_on:
            prob = (p.build_innovation + p.build_imitation * snap["team_bots"]) * pop.f
            d["built"] = ~self.has_bot & (u < prob)
        else:
            d["built"] = np.zeros(n, bool)
        # 2. Habit (section 7.1).
        u = rng.random(n)
        lstar = best_response(p, pop.s, pop.f, pop.w, self.q, self.o, pc)
        L = self.L
        if t == p.rollout_week:
            change = u < p.initial_share
        else:
            user = L > 0
            trial = pop.f * (p.innovation + p.imitation_team * snap["team_users"]
                             + p.imitation_org * snap["org_users"])
            change = np.where(user, u < p.revise_use, u < trial)
        L = np.where(change, lstar, L)
        # 3. Noticing the board (section 7.4).
        u = rng.random(n)
        aware = self.aware
        if pol.leaderboard is not None:
            prob = np.minimum(1.0, p.board_notice + pop.r + p.board_imitation * snap["team_pad"])
            aware = aware | (u < prob)
        d["aware"] = aware
        # 4. Genuine and bot tokens, clipped by the budget (sections 7.2, 7.3).
        z = rng.standard_normal(n)
        B = np.where(running, min(p.bot_tokens, cap), 0.0)
        G = np.maximum(0.0, np.minimum(L * np.exp(p.week_noise * z), cap - B))
        T0 = G + B
        # 5. Padding (section 7.5).
        P = self.padding(t, snap, running, aware, T0, cap, pc)
        T = T0 + P
        # 6. The mandate channel (section 7.6): applies from next week.
        u = rng.random(n)
        L_next = L
        if pol.target is not None:
            forced = (L == 0) & (P > 0) & self.member & (T >= pol.target["theta"])
            L_next = np.where(forced & (u < p.mandate_conversion) & (lstar > 0), lstar, L)
        # 7. Incidents and the week's output (sections 7.7, 7.8).
        d.update(self.output(snap, running, G, B, P))
        d.update(L=L_next, G=G, B=B, P=P, T=T)
        return d

    def audience(self):
        board = self.pol.leaderboard
        if board is None:
            return 0.0
        return {"public": 1.0, "team": self.p.team_audience}.get(board["visibility"], 0.0)

    def incentives(self, snap, aware, rows):
        """Section 7.5.3: b_target, b_rank and b_top for the agents `rows`."""
        p, pop, pol = self.p, self.pop, self.pol
        board = pol.leaderboard
        m_eff = self.m[rows] * (p.private_monitoring_factor
                                if board and board["visibility"] == "private" else 1.0)
        k = 1.0 + self.pressure[rows]
        c = pop.c[rows]
        zero = np.zeros(len(rows))
        b_target = zero
        if pol.target is not None:
            b_target = np.where(self.member[rows], c * m_eff * p.target_weight * k, 0.0)
        b_rank, b_top = zero, zero
        if board is not None:
            r, seen = pop.r[rows], aware[rows]
            b_rank = np.where(seen, r * self.audience() * p.status_weight
                              + c * m_eff * p.rank_weight * k, 0.0)
            b_top = np.where(seen, r * self.audience() * p.top_weight, 0.0)
        return b_target, b_rank, b_top

    def padding(self, t, snap, running, aware, T0, cap, pc):
        """Section 7.5: kept from habit, or a logit choice among candidate totals."""
        p, pop, pol, rng = self.p, self.pop, self.pol, self.rng
        n = pop.n
        u_rev = rng.random(n)
        u_pick = rng.random(n)
        prob = np.where(running, p.revise_bot, p.revise_manual)
        if pol.board_change is not None:
            if self.bot_change == "model":  # docs/model.md 7.5.1
                if t - pol.board_change < math.ceil(1.0 / p.revise_manual):
                    prob = np.full(n, p.revise_manual)
            elif t == pol.board_change:  # docs/guide/scenarios.md: revise_bot_on_change
                on_change = max(p.revise_bot_on_change, p.revise_bot)
                prob = np.where(running, on_change, p.revise_manual)
        revise = u_rev < prob
        P = np.clip(self.P, 0.0, cap - T0)  # kept from last week (section 7.5.1)
        P[revise] = 0.0
        dist = snap["dist"]
        cands = []  # (value, applies-to mask or None)
        if pol.target is not None:
            cands.append((pol.target["theta"], self.member))
        top = math.inf
        if pol.leaderboard is not None and dist is not None:
            for q in (0.50, 0.75, 0.90, 0.99):
                cands.append((nearest_rank(dist, q), aware))
            if self.audience() * p.top_weight > 0:  # b_top > 0 (section 7.5.2)
                top = nearest_rank(dist, 0.999) * p.top_leapfrog
                cands.append((top, aware & (pop.r > 0)))
        if not cands:
            return P
        P[revise] = self.choose(revise, cands, top, aware, T0, cap, pc, running, snap, u_pick)
        return P

    def choose(self, revise, cands, top, aware, T0, cap, pc, running, snap, u_pick):
        """Section 7.5.4: the logit choice of the revising agents among their candidates.

        The candidate totals are the same for everyone (only the base T0 differs), so their ranks
        F and their indicators are computed once; a column is offered to an agent when its mask
        holds and it lies above the agent's base (checked before the cap's clipping, 7.3)."""
        p, pop, pol = self.p, self.pop, self.pol
        dist = snap["dist"]
        idx = np.flatnonzero(revise)
        t0 = T0[idx]
        raw = np.array([v for v, _ in cands])
        vals = np.minimum(raw, cap)
        ok = np.empty((len(idx), len(cands) + 1), bool)
        ok[:, 0] = True
        for j, (_, mask) in enumerate(cands):
            ok[:, j + 1] = mask[idx]
        ok[:, 1:] &= raw[None, :] > t0[:, None]
        some = ok[:, 1:].any(axis=1)
        chosen = np.zeros(len(idx))  # no candidate above the base: no padding, no draw
        idx, t0, ok = idx[some], t0[some], ok[some]
        b_target, b_rank, b_top = self.incentives(snap, aware, rows=idx)
        theta = pol.target["theta"] if pol.target is not None else math.inf
        s = pop.s[idx][:, None]
        run = running[idx]
        pse = np.where(run, p.pad_scale * p.bot_leverage, p.pad_scale)[:, None]
        g_eff = pop.g[idx] * (1.0 - p.norm_weight * snap["team_pad"][idx])
        rho = np.where(run, p.risk_aversion * p.incident_rate * self.scope_factor()
                       / p.tokens_per_action, 0.0)
        Pc = np.maximum(vals[None, :] - t0[:, None], 0.0)
        # The base (P = 0) and the candidates: what each pulls, less what padding costs.
        U = np.empty(ok.shape)
        U[:, 0] = b_target * (t0 >= theta) + b_top * (t0 >= top)
        U[:, 1:] = (b_target[:, None] * (vals >= theta) + b_top[:, None] * (vals >= top)
                    - (g_eff / pse[:, 0] + rho + pc)[:, None] * Pc
                    - np.minimum(s, s * p.pad_time * np.log1p(Pc / pse)))
        if dist is not None:
            U[:, 0] += b_rank * share_at_or_below(dist, t0)
            U[:, 1:] += b_rank[:, None] * share_at_or_below(dist, vals)[None, :]
        U[~ok] = -np.inf
        U -= U.max(axis=1, keepdims=True)
        W = np.exp(U / p.choice_temperature)
        cum = np.cumsum(W, axis=1)
        pick = (cum < u_pick[idx][:, None] * cum[:, -1:]).sum(axis=1)
        pick = np.minimum(pick, ok.shape[1] - 1)
        full = np.concatenate([np.zeros((len(idx), 1)), Pc], axis=1)
        chosen[some] = full[np.arange(len(idx)), pick]
        return chosen

    def scope_factor(self):
        p, plat = self.p, self.pol.platform
        if plat is None:
            return 0.0
        return {"broad": 1.0, "scoped": p.scope_factor_scoped,
                "least_privilege": p.scope_factor_least_privilege}[plat["permission_scope"]]

    def output(self, snap, running, G, B, P):
        """Sections 7.7 (incidents) and 7.8 (the week's output)."""
        p, pop, rng = self.p, self.pop, self.rng
        s, f, q = pop.s, pop.f, self.q
        actions = np.where(running, (B + P) / p.tokens_per_action, 0.0)
        counts = rng.poisson(actions * p.incident_rate * self.scope_factor())
        inc_cost = np.zeros(pop.n)
        hit = np.flatnonzero(counts)
        if len(hit):
            costs = np.maximum(0.0, draw(rng, p.incident_cost, int(counts[hit].sum())))
            inc_cost[hit] = np.add.reduceat(costs, np.concatenate([[0], np.cumsum(counts[hit])[:-1]]))
        E = G / pop.w
        lnE = np.log1p(E / p.kappa)
        gain = reachable_gain(p, f, q)
        coef = gain - p.novice_drag * pop.phi * (1.0 - q)
        own = s * (1.0 + coef * lnE)
        bot = np.where(running, s * p.bot_uplift * f * np.log1p(B / p.kappa), 0.0)
        rework = s * p.rework_rate * (1.0 - q) * lnE
        pse = np.where(running, p.pad_scale * p.bot_leverage, p.pad_scale)
        pad_time = np.minimum(s, s * p.pad_time * np.log1p(P / pse))
        noise = p.noise_per_action * snap["team_noise"]
        y = own + bot - rework - pad_time - noise - inc_cost
        perceived = (gain + self.o) * lnE
        return dict(y=y, E=E, lnE=lnE, actions=actions, incidents=counts, inc_cost=inc_cost,
                    rework=rework, noise=noise, pad_time=pad_time, perceived=perceived)

    def untooled(self):
        """Before the rollout week: output is skill, nothing is drawn (section 3.2)."""
        n = self.pop.n
        z = np.zeros(n)
        return dict(running=np.zeros(n, bool), built=np.zeros(n, bool), aware=self.aware,
                    L=self.L, G=z, B=z, P=z, T=z, y=self.pop.s.copy(), E=z, lnE=z, actions=z,
                    incidents=np.zeros(n, np.int64), inc_cost=z, rework=z, noise=z, pad_time=z,
                    perceived=z)

    # ---- phase 5: fold --------------------------------------------------------------------
    def fold(self, t, d):
        p, pop = self.p, self.pop
        self.has_bot |= d["built"]
        self.L = d["L"]
        self.aware = d["aware"]
        self.G, self.P, self.B = d["G"], d["P"], d["B"]
        self.bot_actions = d["actions"]
        if t < p.rollout_week:
            return
        # Reactance (section 7.6), then perception learning (7.13), then learning (7.9).
        if self.pol.target is not None and p.reactance > 0:
            self.o = np.where(self.member & (d["P"] > 0) & (d["G"] == 0), self.o - p.reactance,
                              self.o)
        used = d["G"] > 0
        measured = np.where(pop.s > 0, d["y"] / np.where(pop.s > 0, pop.s, 1.0) - 1.0, 0.0)
        self.o = np.where(used, self.o + p.perception_learn * (measured - d["perceived"]), self.o)
        u = d["E"] / (d["E"] + p.kappa)
        self.q = np.clip(self.q + p.learn_rate * (1.0 - self.q) * u
                         - p.forget_rate * self.q * (1.0 - u), 0.0, 1.0)

    # ---- phases 4 and 6: nudges and reviews -----------------------------------------------
    def managers(self, t, snap, d):
        p, pop, pol, rng = self.p, self.pop, self.pol, self.rng
        mg = pol.managers
        factor = mg["target_pressure"] if snap["pressured"] else 1.0
        has_member = pop.team_sum(self.member.astype(np.float64)) > 0
        prob = np.where(has_member, min(1.0, mg["attention"] * factor), min(1.0, mg["attention"]))
        nudged = rng.random(pop.n_teams) < prob
        who = nudged[pop.team]
        c_j = self.standing[pop.team]
        self.m = np.where(who, self.m + (1.0 - self.m) * mg["nudge"] * (1.0 - pop.tau * c_j),
                          self.m)
        self.standing = np.where(nudged, self.standing * (1.0 - p.statement_erosion),
                                 self.standing)
        if (t + 1) % mg["review_every"] != 0:
            return
        w = pol.reviews["usage_weight"] if pol.reviews else 0.0
        omega = w + (1.0 - w) * mg["review_token_weight"]
        rating = ((1.0 - omega) * share_at_or_below(np.sort(d["y"]), d["y"])
                  + omega * share_at_or_below(np.sort(d["T"]), d["T"]))
        rating = rating.astype(np.float32).astype(np.float64)
        eps = rng.normal(0.0, mg["review_noise"], pop.n).astype(np.float32).astype(np.float64)
        self.m = np.clip(self.m + mg["review_learning"] * (omega - self.m) + eps, 0.0, 1.0)
        self.pressure = mg["review_stakes"] * (1.0 - rating)

    # ---- delivery (section 7.15) ----------------------------------------------------------
    def delivery(self, d):
        p, pop = self.p, self.pop
        S = pop.team_sum(pop.s)
        pos = np.maximum(d["y"], 0.0)
        W = pop.team_sum(pos)
        D = pop.team_sum(pos + p.defect_ai * pop.s * d["lnE"] * (2.0 - self.q))
        b = p.unreviewed_base
        if p.review_capacity == 0:
            Cap = np.full(pop.n_teams, np.inf)
        else:
            Cap = (1.0 + p.review_capacity) * (1.0 - b) * S
        keep = 1.0 - p.review_drain - p.review_abandon
        new, new_d = (1.0 - b) * W, (1.0 - b) * D
        if self.queue is None:
            if self.p.rollout_week == 0:
                gap = new - Cap
                self.queue = np.where(gap > 0, keep * gap / (p.review_drain + p.review_abandon), 0.0)
                self.queue_d = self.queue * np.where(W > 0, D / np.where(W > 0, W, 1.0), 0.0)
            else:
                self.queue = np.zeros(pop.n_teams)
                self.queue_d = np.zeros(pop.n_teams)
        direct = b * W
        N = self.queue + new
        ND = self.queue_d + new_d
        R = np.minimum(N, Cap)
        left = N - R
        density = np.where(N > 0, ND / np.where(N > 0, N, 1.0), 0.0)
        self.queue = keep * left
        self.queue_d = self.queue * density
        merged = R + p.review_drain * left + direct
        direct_density = np.where(W > 0, D / np.where(W > 0, W, 1.0), 0.0)
        escaped = direct * direct_density + density * (R * (1.0 - p.review_catch)
                                                       + p.review_drain * left)
        quality = p.defect_cost * (escaped - S * (b + (1.0 - b) * (1.0 - p.review_catch)))
        value = merged - S - quality
        return dict(value=value.sum(), merged=merged.sum(), quality=quality.sum(),
                    unreviewed=(direct + p.review_drain * left).sum(),
                    abandoned=(p.review_abandon * left).sum(), in_review=N.sum(),
                    escaped=escaped.sum())

    # ---- the run --------------------------------------------------------------------------
    def step(self, t):
        self.open_week(t)
        snap = self.snapshot(t)
        d = self.decide(t, snap) if t >= self.p.rollout_week else self.untooled()
        tooled = t >= self.p.rollout_week
        self.fold(t, d)
        self.managers(t, snap, d)
        deliv = self.delivery(d)
        self.week_rows.append(summary_mod.week_row(self, t, d, deliv, tooled))
        self.agent_T += d["T"]
        self.agent_y += d["y"]

    def run(self):
        for t in range(self.weeks):
            self.step(t)
        return summary_mod.summary(self)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default="amazon-2026",
                    help="a built-in name (scenarios/NAME.toml) or a path")
    ap.add_argument("--employees", type=int)
    ap.add_argument("--weeks", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--bot-change", choices=["model", "guide"], default="guide",
                    help="how a running bot's owner revises after a leaderboard change: docs/model.md "
                    "7.5.1 (revise_manual for ceil(1/revise_manual) weeks) or docs/guide/scenarios.md "
                    "(revise_bot_on_change in the week of the change; the default: it matches the binary)")
    ap.add_argument("--weekly", help="also write the weekly figures to this CSV")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    sc = scenario_mod.load(args.scenario, args.employees, args.weeks, args.seed)
    model = Model(sc, args.bot_change)
    out = model.run()
    out["elapsed_s"] = time.perf_counter() - started
    if args.weekly:
        summary_mod.write_weekly(model.week_rows, args.weekly)
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
