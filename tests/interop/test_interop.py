"""Every Parquet file tokenmaxx writes answers real clients correctly.

For a small run with --events, a sweep and an import, filtered queries (by week, kind, agent and
a numeric range) give the same counts and sums in DuckDB, pyarrow (dataset filters) and polars,
and agree with the file's own rows read in full; every row group's column-chunk metadata is
consistent with the row group (what a reader trusts for filter pushdown); no string column is
stored as string_view. Run by .ci/run after `cargo test`, against the binary it built:

    TOKENMAXX_BIN=target/debug/tokenmaxx python -m pytest tests/interop
"""

import os
import pathlib
import re
import subprocess

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("TOKENMAXX_BIN", str(ROOT / "target" / "debug" / "tokenmaxx"))


def tokenmaxx(*args):
    subprocess.run([BIN, *args, "--quiet"], check=True, cwd=ROOT)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("interop")
    tokenmaxx("run", "amazon-2026", "--employees", "600", "--weeks", "30", "--events",
              "--no-charts", "--out", str(d / "run"))
    spec = d / "sweep.toml"
    spec.write_text(
        'name = "interop"\nbase = "target-only"\nreplications = 2\nseed = 3\n'
        '[parameters]\n"employees" = [300]\n"policy.costs_visible" = [false, true]\n'
    )
    tokenmaxx("sweep", str(spec), "--no-charts", "--out", str(d / "sweep"))
    usage = d / "usage.csv"
    rows = ["date,person,tokens,group"]
    for day in range(1, 29):
        for p in range(40):
            if (p + day) % 3:
                rows.append(f"2026-02-{day:02d},p{p},{(p + 1) * 1000 + day},{'developers' if p % 2 else 'others'}")
    usage.write_text("\n".join(rows) + "\n")
    tokenmaxx("import", str(usage), "--no-charts", "--out", str(d / "org"))
    return d


def parquet_files(d):
    files = sorted(d.rglob("*.parquet"))
    assert files, f"no Parquet file under {d}"
    return files


def test_every_parquet_file_has_consistent_metadata_and_plain_strings(outputs):
    for path in parquet_files(outputs):
        f = pq.ParquetFile(path)
        for field in f.schema_arrow:
            assert not pa.types.is_string_view(field.type), f"{path.name}: {field.name} is string_view"
            assert not pa.types.is_binary_view(field.type), f"{path.name}: {field.name} is binary_view"
        meta = f.metadata
        total = 0
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            total += rg.num_rows
            table = f.read_row_group(g)
            for c in range(rg.num_columns):
                col = rg.column(c)
                name = col.path_in_schema
                where = f"{path.name} row group {g} column {name}"
                # A flat column has one value (or null) per row.
                assert col.num_values == rg.num_rows, f"{where}: num_values {col.num_values} != num_rows {rg.num_rows}"
                nulls = table.column(name).null_count
                if col.is_stats_set and col.statistics.has_null_count:
                    assert col.statistics.null_count == nulls, f"{where}: null_count {col.statistics.null_count} != {nulls}"
                if col.is_stats_set and col.statistics.has_min_max:
                    # Bounds a reader may prune with: exact for numbers, possibly truncated
                    # (but still bounds) for long strings.
                    values = table.column(name).drop_null()
                    if len(values):
                        mm = pc.min_max(values)
                        lo, hi = mm["min"].as_py(), mm["max"].as_py()
                        if isinstance(lo, str):
                            assert col.statistics.min <= lo and col.statistics.max >= hi, f"{where}: bounds"
                        else:
                            assert (lo, hi) == (col.statistics.min, col.statistics.max), f"{where}: min/max"
                if col.has_dictionary_page:
                    assert col.dictionary_page_offset is not None and col.dictionary_page_offset > 0, where
                    assert col.dictionary_page_offset < col.data_page_offset, f"{where}: dictionary after data"
                else:
                    assert col.data_page_offset > 0, where
        assert total == meta.num_rows, f"{path.name}: row groups hold {total} rows, footer says {meta.num_rows}"


def events(outputs):
    return outputs / "run" / "events.parquet"


def truth(outputs):
    """The whole file read into memory, filtered there: what a filter must agree with."""
    return pl.read_parquet(events(outputs))


FILTERS = [
    ("kind = 'TokensUsed'", pl.col("kind") == "TokensUsed", pc.field("kind") == "TokensUsed"),
    ("kind = 'WorkDelivered'", pl.col("kind") == "WorkDelivered", pc.field("kind") == "WorkDelivered"),
    ("week = 5", pl.col("week") == 5, pc.field("week") == 5),
    ("week between 10 and 12", pl.col("week").is_between(10, 12), (pc.field("week") >= 10) & (pc.field("week") <= 12)),
    ("agent = 17", pl.col("agent") == 17, pc.field("agent") == 17),
    ("genuine > 1000000", pl.col("genuine") > 1_000_000, pc.field("genuine") > 1_000_000),
    ("output between 0.5 and 2", pl.col("output").is_between(0.5, 2.0), (pc.field("output") >= 0.5) & (pc.field("output") <= 2.0)),
]


@pytest.mark.parametrize("sql,pl_expr,pa_expr", FILTERS, ids=[f[0] for f in FILTERS])
def test_filtered_queries_agree_across_clients(outputs, sql, pl_expr, pa_expr):
    path = events(outputs)
    full = truth(outputs).filter(pl_expr)
    count = full.height
    assert count > 0, f"the test's filter {sql} selects nothing: make the run larger"
    genuine = full["genuine"].sum() or 0.0
    con = duckdb.connect()
    got = con.execute(
        f"select count(*), coalesce(sum(genuine), 0) from read_parquet(?) where {sql}", [str(path)]
    ).fetchone()
    assert got[0] == count, f"duckdb: {sql}: {got[0]} rows, expected {count}"
    assert got[1] == pytest.approx(genuine, rel=1e-12)
    table = ds.dataset(path, format="parquet").to_table(filter=pa_expr)
    assert table.num_rows == count, f"pyarrow: {sql}: {table.num_rows} rows, expected {count}"
    assert (pc.sum(table["genuine"]).as_py() or 0.0) == pytest.approx(genuine, rel=1e-12)
    lazy = pl.scan_parquet(path).filter(pl_expr).select(pl.len(), pl.col("genuine").sum()).collect()
    assert lazy.item(0, 0) == count
    assert (lazy.item(0, 1) or 0.0) == pytest.approx(genuine, rel=1e-12)


def test_group_by_kind_agrees_with_tokenmaxx_own_count(outputs):
    path = events(outputs)
    duck = dict(duckdb.connect().execute(
        "select kind, count(*) from read_parquet(?) group by kind", [str(path)]).fetchall())
    arrow = pq.read_table(path).group_by("kind").aggregate([("kind", "count")]).to_pydict()
    assert duck == dict(zip(arrow["kind"], arrow["kind_count"]))
    agents = 600
    assert duck["AgentHired"] == agents


def test_sweep_runs_parquet_filters_agree(outputs):
    path = outputs / "sweep" / "runs.parquet"
    full = pl.read_parquet(path)
    assert full.height == 4
    for col in full.columns:
        if full[col].dtype == pl.String:
            value = full[col][0]
            if value is None:
                continue
            want = full.filter(pl.col(col) == value).height
            got = duckdb.connect().execute(
                f'select count(*) from read_parquet(?) where "{col}" = ?', [str(path), value]).fetchone()[0]
            assert got == want, f"runs.parquet {col}: duckdb {got}, expected {want}"
            t = ds.dataset(path, format="parquet").to_table(filter=pc.field(col) == value)
            assert t.num_rows == want


def doc_snippets():
    """The fenced blocks marked `python interop` in README.md and docs/, which must run as shown."""
    found = []
    for md in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = md.read_text(encoding="utf-8")
        for m in re.finditer(r"```python interop\n(.*?)```", text, re.S):
            found.append(pytest.param(m.group(1), id=f"{md.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"))
    return found


@pytest.mark.parametrize("code", doc_snippets())
def test_documented_snippets_run(outputs, code, monkeypatch):
    monkeypatch.chdir(outputs / "run")
    exec(compile(code, "snippet", "exec"), {})


def test_the_docs_have_snippets():
    assert len(doc_snippets()) >= 2, "the event store section should show a DuckDB query and a pyarrow snippet"
