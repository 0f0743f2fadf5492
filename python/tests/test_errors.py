"""Bad input raises ValueError naming the key and the allowed range, as the CLI's errors do."""
import pytest

import tokenmaxx


def test_an_unknown_builtin_lists_the_builtins():
    with pytest.raises(ValueError, match=r"unknown built-in scenario `amazon-2027`.*amazon-2026"):
        tokenmaxx.scenario("amazon-2027")


def test_a_missing_file_is_named():
    with pytest.raises(ValueError, match=r"cannot read scenario file .*nope\.toml"):
        tokenmaxx.scenario("/nonexistent/nope.toml")


def test_an_out_of_range_value_names_the_key_and_the_range():
    with pytest.raises(ValueError, match=r"`behaviour\.uplift` = -5 is out of range: a finite number >= 0"):
        tokenmaxx.scenario("amazon-2026", behaviour__uplift=-5)


def test_an_unknown_key_suggests_the_nearest():
    with pytest.raises(ValueError, match=r"unknown parameter path `behaviour\.uplif`; did you mean `behaviour\.uplift`"):
        tokenmaxx.scenario("amazon-2026", {"behaviour.uplif": 0.5})


def test_a_wrong_type_is_refused():
    with pytest.raises(ValueError, match="uplift"):
        tokenmaxx.scenario("amazon-2026", behaviour__uplift="fast")


def test_a_value_that_is_not_toml_is_refused_naming_the_key():
    with pytest.raises(ValueError, match=r"setting `behaviour\.uplift`"):
        tokenmaxx.scenario("amazon-2026", behaviour__uplift={1, 2})
    with pytest.raises(ValueError, match=r"setting `behaviour\.uplift`"):
        tokenmaxx.scenario("amazon-2026", behaviour__uplift=None)


def test_run_overrides_are_checked_and_named_as_arguments():
    s = tokenmaxx.scenario("baseline")
    with pytest.raises(ValueError, match=r"run\(\): `employees` = 0 is out of range: a whole number in \[1, "):
        s.run(employees=0)
    with pytest.raises(ValueError, match=r"`weeks`"):
        s.run(weeks=-1)
    with pytest.raises(ValueError, match="threads must be at least 1"):
        s.run(employees=10, weeks=1, threads=0)


def test_compare_refuses_bad_arguments():
    with pytest.raises(ValueError, match="at least two"):
        tokenmaxx.compare(["baseline"])
    with pytest.raises(ValueError, match=r"replications must be in \[2, "):
        tokenmaxx.compare(["baseline", "least-privilege"], replications=1)
    with pytest.raises(ValueError, match="not one of the compared scenarios"):
        tokenmaxx.compare(["baseline", "least-privilege"], baseline="amazon-2026")
    with pytest.raises(ValueError, match="share a name"):
        tokenmaxx.compare(["baseline", tokenmaxx.scenario("baseline", employees=100)], replications=2)
    with pytest.raises(ValueError, match="nope.toml"):
        tokenmaxx.compare(["baseline", "least-privilege"], priors="/nonexistent/nope.toml")
