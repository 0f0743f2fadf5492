//! Issue 14: never lose a user's file. Names that would escape output/, output folders that are
//! not tokenmaxx's (or are the command's input, or the current folder), locked batch folders,
//! FIFOs as input, absurd thread counts, extreme parameters and corrupt event logs.

use std::path::Path;

use crate::util::*;

const TINY: &str = "extends = \"baseline\"\nemployees = 200\nweeks = 4\n";

fn refused(o: &std::process::Output, what: &str) {
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(o), stderr(o));
    assert!(stderr(o).contains(what), "{}", stderr(o));
}

#[test]
fn batch_names_that_would_escape_output_are_refused_and_nothing_is_written_outside() {
    let dir = scratch("safety_names");
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("tiny.toml"), TINY).unwrap();
    let params = "[parameters]\n\"behaviour.uplift\" = { low = 0.3, high = 1.2 }\n";
    for name in ["../escaped", "/tmp/tokenmaxx-escaped", "..", ".", "", "a\\u0007b"] {
        let head = format!("name = \"{name}\"\nbase = \"tiny.toml\"\n");
        let specs = [
            ("sweep", format!("{head}[parameters]\n\"behaviour.uplift\" = [0.3, 0.6]\n")),
            ("sensitivity", format!("{head}method = \"morris\"\ntrajectories = 2\n{params}")),
            ("calibrate", format!("{head}budget = 240\npopulation = 12\n[[targets]]\nfigure = \"padding_share\"\nvalue = 0.1\ntolerance = 0.01\n{params}")),
        ];
        for (command, text) in specs {
            std::fs::write(work.join("spec.toml"), text).unwrap();
            let o = tokenmaxx(&work, &[command, "spec.toml", "-q", "--no-charts"]);
            refused(&o, "spec.toml");
            assert!(stderr(&o).contains("`name`") && stderr(&o).contains("1 to 100 bytes"), "{command} {name:?}: {}", stderr(&o));
        }
    }
    assert!(!dir.join("escaped").exists() && !Path::new("/tmp/tokenmaxx-escaped").exists());
    let names: Vec<String> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n == "journal.jsonl" || n == "output"), "{names:?}");
}

#[test]
fn scenario_names_with_control_characters_or_too_long_fail_validate() {
    let dir = scratch("safety_scenario_names");
    for name in ["bad\\u001bname".to_string(), "x".repeat(250)] {
        std::fs::write(dir.join("s.toml"), format!("name = \"{name}\"\n")).unwrap();
        let o = tokenmaxx(&dir, &["validate", "s.toml"]);
        refused(&o, "`name`");
        assert!(stderr(&o).contains("1 to 100 bytes"), "{}", stderr(&o));
    }
}

#[test]
fn a_fifo_as_scenario_or_extends_is_refused_not_waited_on() {
    let dir = scratch("safety_fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("fifo.toml"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    std::fs::write(dir.join("ext.toml"), "extends = \"fifo.toml\"\n").unwrap();
    for arg in ["./fifo.toml", "ext.toml"] {
        refused(&tokenmaxx(&dir, &["validate", arg]), "not a regular file");
    }
    std::fs::write(dir.join("sweep.toml"), "base = \"fifo.toml\"\n[parameters]\n\"behaviour.uplift\" = [0.3]\n").unwrap();
    refused(&tokenmaxx(&dir, &["sweep", "sweep.toml", "-q"]), "not a regular file");
    refused(&tokenmaxx(&dir, &["sweep", "fifo.toml", "-q"]), "not a regular file");
}

#[test]
fn extreme_finite_parameters_are_refused_naming_the_key_and_range() {
    let dir = scratch("safety_extreme");
    let cases = [
        ("[behaviour]\nuplift = 1e308\n", "behaviour.uplift"),
        ("[behaviour]\ntoken_scale = 1e308\n", "behaviour.token_scale"),
        ("[money]\nprice_usd_per_mtok = 1e308\n", "money.price_usd_per_mtok"),
        ("[money]\nsalary_usd = 1e308\n", "money.salary_usd"),
        ("[bots]\nbot_tokens = 1e308\n", "bots.bot_tokens"),
        ("[policy]\ntarget = { share = 0.5, theta = 1e-300 }\n", "policy.target.theta"),
        ("[population.developers]\nskill = { dist = \"lognormal\", mu = 700.0, sigma = 0.5 }\n", "population.developers.skill.mu"),
        ("[population.developers]\nskill = { dist = \"uniform\", low = 1.0, high = 1e308 }\n", "population.developers.skill.high"),
    ];
    for (text, key) in cases {
        std::fs::write(dir.join("x.toml"), format!("extends = \"baseline\"\n{text}")).unwrap();
        let o = tokenmaxx(&dir, &["validate", "x.toml"]);
        refused(&o, key);
        assert!(stderr(&o).contains("a number in ["), "{}", stderr(&o));
    }
}

#[test]
fn a_bad_override_flag_is_reported_against_the_flag() {
    let dir = scratch("safety_flags");
    for (flag, value) in [("--employees", "0"), ("--weeks", "0")] {
        let o = tokenmaxx(&dir, &["run", "baseline", flag, value, "-q", "--out", "out"]);
        refused(&o, &format!("command line: `{flag}` = 0"));
        assert!(!dir.join("out").exists());
    }
}
