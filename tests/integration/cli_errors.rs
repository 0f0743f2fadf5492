//! Bad input: a clear message naming the place, exit code 2, no panic, earlier output intact.

use crate::util::*;

struct Case {
    name: &'static str,
    file: Option<&'static str>,
    arg: &'static str,
    expect: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "malformed",
        file: Some("seed = 1\n[behaviour\nuplift = 2\n"),
        arg: "bad.toml",
        expect: &["bad.toml:2:"],
    },
    Case {
        name: "unknown key",
        file: Some("[behaviour]\ntokn_scale = 5e6\n"),
        arg: "bad.toml",
        expect: &[
            "bad.toml:2:1",
            "unknown field `tokn_scale`",
            "did you mean `token_scale`?",
        ],
    },
    Case {
        name: "share out of range",
        file: Some("[policy]\ntarget = { share = 1.4 }\n"),
        arg: "bad.toml",
        expect: &["policy.target.share", "1.4", "[0, 1]"],
    },
    Case {
        name: "discount rate out of range",
        file: Some("[money]\ndiscount_rate = 1.5\n"),
        arg: "bad.toml",
        expect: &["money.discount_rate", "1.5", "1"],
    },
    Case {
        name: "negative scale",
        file: Some("[behaviour]\npad_scale = -3\n"),
        arg: "bad.toml",
        expect: &["behaviour.pad_scale", "positive"],
    },
    Case {
        name: "week past the horizon",
        file: Some("weeks = 20\n[[timeline]]\nweek = 25\nleaderboard = \"off\"\n"),
        arg: "bad.toml",
        expect: &["timeline[0].week", "[0, 19]"],
    },
    Case {
        name: "missing file",
        file: None,
        arg: "nowhere/missing.toml",
        expect: &["nowhere/missing.toml", "cannot read"],
    },
    Case {
        name: "unknown built-in",
        file: None,
        arg: "amazon-2027",
        expect: &["amazon-2027", "baseline", "amazon-2026"],
    },
    Case {
        name: "extends loop",
        file: Some("extends = \"bad.toml\"\n"),
        arg: "bad.toml",
        expect: &["loop"],
    },
];

#[test]
fn bad_input_is_named_exits_2_and_leaves_the_old_output_alone() {
    let dir = scratch("bad_input");
    let o = tokenmaxx(
        &dir,
        &[
            "run",
            "baseline",
            "--employees",
            "300",
            "--weeks",
            "5",
            "--quiet",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(dir.join("out/weekly.csv")).unwrap();
    for case in CASES {
        if let Some(text) = case.file {
            std::fs::write(dir.join("bad.toml"), text).unwrap();
        }
        for cmd in ["run", "validate"] {
            let args: Vec<&str> = if cmd == "run" {
                vec!["run", case.arg, "--quiet", "--out", "out"]
            } else {
                vec!["validate", case.arg]
            };
            let o = tokenmaxx(&dir, &args);
            let err = stderr(&o);
            assert_eq!(
                o.status.code(),
                Some(2),
                "{} ({cmd}): exit {:?}, stderr {err}",
                case.name,
                o.status.code()
            );
            assert!(!err.contains("panicked"), "{}: {err}", case.name);
            for e in case.expect {
                assert!(
                    err.contains(e),
                    "{} ({cmd}): expected `{e}` in: {err}",
                    case.name
                );
            }
        }
        assert_eq!(
            std::fs::read(dir.join("out/weekly.csv")).unwrap(),
            before,
            "{} clobbered output",
            case.name
        );
    }
    // No staging folders left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
