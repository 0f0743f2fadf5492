"""polars -> pandas -> polars round trip of a run's tables."""
import polars as pl
import pytest
from polars.testing import assert_frame_equal

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


@pytest.mark.parametrize("name", ["weekly", "agents", "deciles"])
def test_tables_survive_a_pandas_round_trip(small_run, name):
    frame = getattr(small_run, name)
    as_pandas = frame.to_pandas()
    assert isinstance(as_pandas, pd.DataFrame)
    assert list(as_pandas.columns) == frame.columns and len(as_pandas) == frame.height
    assert_frame_equal(pl.from_pandas(as_pandas), frame, check_exact=True, check_dtypes=False)


def test_pandas_sees_the_numbers(small_run):
    w = small_run.weekly.to_pandas()
    assert w["week"].tolist() == list(range(20))
    assert abs(w["tokens_padding"].sum() / w["tokens_total"].sum() - small_run.summary["padding_share"]) < 1e-9
