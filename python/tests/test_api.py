"""The API: scenarios, runs, tables, summary, events, report, compare, determinism, the GIL."""
import threading
import time

import polars as pl
from polars.testing import assert_frame_equal

import tokenmaxx


def test_builtins_and_scenario_properties():
    names = tokenmaxx.builtins()
    assert "amazon-2026" in names and names["amazon-2026"]
    s = tokenmaxx.scenario("amazon-2026")
    assert (s.name, s.employees, s.weeks) == ("amazon-2026", 10000, 52)
    assert 'name = "amazon-2026"' in s.toml
    assert "amazon-2026" in repr(s)


def test_settings_as_a_dict_and_as_keyword_arguments_are_the_same():
    a = tokenmaxx.scenario("amazon-2026", {"behaviour.uplift": 0.9, "employees": 300})
    b = tokenmaxx.scenario("amazon-2026", behaviour__uplift=0.9, employees=300)
    assert a.employees == b.employees == 300
    assert a.toml == b.toml
    assert "uplift = 0.9" in a.toml
    ra, rb = a.run(weeks=6), b.run(weeks=6)
    assert ra.summary == rb.summary
    assert ra.summary != tokenmaxx.scenario("amazon-2026", employees=300).run(weeks=6).summary


def test_tables_are_typed_frames_with_the_documented_columns(small_run):
    w, a, d = small_run.weekly, small_run.agents, small_run.deciles
    assert isinstance(w, pl.DataFrame) and w.height == 20 and w["week"].to_list() == list(range(20))
    assert w.schema["target_met"] == pl.Boolean and w.schema["padding_share"] == pl.Float64
    assert a.height == 1200 and "tokens_padding" in a.columns
    assert d.height == 10
    s = small_run.summary
    assert (s["scenario"], s["seed"], s["employees"], s["weeks"]) == ("amazon-2026", 7, 1200, 20)
    assert abs(s["padding_share"] - w["tokens_padding"].sum() / w["tokens_total"].sum()) < 1e-9
    assert small_run.headline[0].startswith("amazon-2026 (1200 employees, 20 weeks, seed 7)")


def test_events_are_a_lazy_frame_that_folds_to_the_tables(small_run):
    ev = small_run.events
    assert isinstance(ev, pl.LazyFrame)
    hired = ev.filter(pl.col("kind") == "AgentHired").select(pl.len()).collect().item()
    assert hired == 1200
    tokens = ev.filter(pl.col("kind") == "TokensUsed").select(pl.col("week").n_unique()).collect().item()
    assert tokens == 20


def test_a_run_without_events_says_how_to_get_them():
    r = tokenmaxx.scenario("baseline").run(employees=100, weeks=2)
    try:
        r.events
    except ValueError as e:
        assert "events=True" in str(e)
    else:
        raise AssertionError("no ValueError")


def test_events_written_to_a_path_and_never_over_an_existing_file(tmp_out):
    path = tmp_out / "log.parquet"
    r = tokenmaxx.scenario("baseline").run(employees=100, weeks=3, events=path)
    assert path.is_file() and r.events_path == str(path)
    assert pl.read_parquet(path).height > 0
    before = path.read_bytes()
    try:
        tokenmaxx.scenario("baseline").run(employees=100, weeks=3, events=path)
    except FileExistsError:
        pass
    else:
        raise AssertionError("an existing event log was replaced")
    assert path.read_bytes() == before


def test_report_html_is_one_page_with_the_headline_and_charts(small_run):
    html = small_run.report_html()
    assert html.startswith("<!DOCTYPE html>") or html.lstrip().lower().startswith("<!doctype html>")
    assert "amazon-2026" in html and html.count("data:image/png;base64,") == 5
    assert small_run.report_html(charts=False).count("data:image/png;base64,") == 0


def test_runs_are_deterministic_and_independent_of_threads():
    s = tokenmaxx.scenario("meta-leaderboard")
    a = s.run(seed=3, employees=800, weeks=10)
    b = s.run(seed=3, employees=800, weeks=10, threads=1)
    assert_frame_equal(a.weekly, b.weekly, check_exact=True)
    assert_frame_equal(a.agents, b.agents, check_exact=True)
    assert a.summary == b.summary
    assert s.run(seed=4, employees=800, weeks=10).summary != a.summary
    assert s.run(seed=3, employees=800, weeks=10, replication=1).summary != a.summary


def test_a_shorter_horizon_notes_the_dropped_policy_changes():
    r = tokenmaxx.scenario("amazon-2026").run(employees=100, weeks=8)
    assert any("will not happen" in n for n in r.notes)


def test_the_gil_is_released_while_simulating():
    s = tokenmaxx.scenario("amazon-2026")
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.002)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.02)
    start = time.perf_counter()
    s.run(employees=20000, weeks=52, threads=1)
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # With the GIL held for the whole run the ticker could not run at all in between.
    assert end - start > 0.05
    assert len(during) >= 5, f"{len(during)} ticks in {end - start:.2f} s"


def test_compare_gives_the_tables_and_a_verdict():
    c = tokenmaxx.compare(["baseline", "least-privilege"], replications=3, employees=300, weeks=8)
    assert c.names == ["baseline", "least-privilege"]
    assert set(c.comparison["scenario"].unique()) == {"baseline", "least-privilege"}
    assert c.runs.height == 6 and c.rankings.height > 0 and c.weekly_bands.height > 0
    assert c.verdict and all(isinstance(v, str) for v in c.verdict)
    assert c.report_html(chart=False).count("<table") >= 1


def test_compare_takes_scenario_objects_with_settings_and_a_baseline_by_name():
    costly = tokenmaxx.scenario("baseline", {"name": "baseline-costs-shown", "policy.costs_visible": True})
    c = tokenmaxx.compare([costly, "baseline"], baseline="baseline", replications=2, employees=200, weeks=6)
    assert c.names == ["baseline-costs-shown", "baseline"]
    base = c.comparison.filter(pl.col("scenario") == "baseline")
    assert base["diff_vs_baseline"].null_count() == base.height
