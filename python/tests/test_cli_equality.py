"""The package's runs and comparisons are the CLI's, for the same scenario and seed."""
import json
import subprocess

import polars as pl
from polars.testing import assert_frame_equal

import tokenmaxx


def test_run_tables_and_summary_equal_the_cli_files(cli, tmp_out):
    out = tmp_out / "run"
    subprocess.run([cli, "run", "amazon-2026", "--seed", "11", "--employees", "1500", "--weeks", "30",
                    "--quiet", "--no-charts", "--out", str(out)], check=True)
    r = tokenmaxx.scenario("amazon-2026").run(seed=11, employees=1500, weeks=30)
    for name in ["weekly", "agents", "deciles"]:
        from_cli = pl.read_csv(out / f"{name}.csv", infer_schema_length=None)
        # CSV has no unsigned type: the values are compared exactly, the integer widths not.
        assert_frame_equal(from_cli, getattr(r, name), check_dtypes=False, check_exact=True)
    assert json.loads((out / "summary.json").read_text()) == r.summary


def test_settings_equal_the_same_scenario_as_a_file(cli, tmp_out):
    scenario = tmp_out / "mine.toml"
    scenario.write_text('extends = "target-only"\nname = "mine"\n[behaviour]\nnorm_weight = 0.7\n')
    out = tmp_out / "run"
    subprocess.run([cli, "run", str(scenario), "--employees", "600", "--weeks", "12", "--quiet", "--no-charts",
                    "--out", str(out)], check=True)
    r = tokenmaxx.scenario("target-only", {"name": "mine", "behaviour.norm_weight": 0.7}).run(employees=600, weeks=12)
    from_cli = pl.read_csv(out / "weekly.csv", infer_schema_length=None)
    assert_frame_equal(from_cli, r.weekly, check_dtypes=False, check_exact=True)


def test_compare_tables_equal_the_cli_files_byte_for_byte(cli, tmp_out):
    out = tmp_out / "cmp"
    subprocess.run([cli, "compare", "baseline", "least-privilege", "--replications", "3", "--employees", "300",
                    "--weeks", "8", "--seed", "5", "--quiet", "--no-charts", "--out", str(out)], check=True)
    c = tokenmaxx.compare(["baseline", "least-privilege"], replications=3, employees=300, weeks=8, seed=5)
    for name in ["comparison", "rankings", "runs", "weekly_bands"]:
        assert c.csv(name) == (out / f"{name}.csv").read_text(), name
    assert c.verdict == (out / "verdict.txt").read_text().splitlines()
