use super::*;

fn shipped(name: &str) -> Priors {
    Priors::load(name).unwrap().unwrap()
}

#[test]
fn the_shipped_priors_parse_and_draw_inside_their_ranges() {
    for name in ["unanchored", "calibrated"] {
        let p = shipped(name);
        assert!(p.parameters.len() >= 6, "{name}");
        let d = p.draw(1, 3);
        assert_eq!(d, p.draw(1, 3), "a replication's draw is reproducible");
        assert_ne!(d, p.draw(1, 4), "replications draw differently");
        assert_eq!(d.len(), p.ranges().len(), "{name}: one value per parameter");
        for ((_, lo, hi), v) in p.ranges().into_iter().zip(d) {
            assert!(*lo <= v && v <= *hi, "{name}");
        }
    }
    assert!(Priors::load("none").unwrap().is_none());
    assert_eq!(
        shipped("default"),
        shipped("unanchored"),
        "the old name still works"
    );
}

#[test]
fn accepted_draws_are_what_replications_take_in_the_file_s_column_order() {
    let text = "[parameters]\n\"behaviour.norm_weight\" = { low = 0.2, high = 0.8 }\n\
                \"behaviour.pad_scale\" = { low = 2e7, high = 8e7 }\n\
                [accepted]\nparameters = [\"behaviour.pad_scale\", \"behaviour.norm_weight\"]\n\
                draws = [[3e7, 0.3], [5e7, 0.7]]\n";
    let p = Priors::parse(text, "p").unwrap();
    assert_eq!(p.accepted, vec![vec![0.3, 3e7], vec![0.7, 5e7]]);
    let seen: std::collections::BTreeSet<String> =
        (0..40).map(|r| format!("{:?}", p.draw(9, r))).collect();
    assert_eq!(
        seen.len(),
        2,
        "every replication takes one of the two rows: {seen:?}"
    );
}

#[test]
fn parameters_the_accepted_draws_leave_out_are_drawn_uniformly_after_them() {
    // given accepted draws over one of two parameters
    let text = "[parameters]\n\"behaviour.norm_weight\" = { low = 0.2, high = 0.8 }\n\
                \"behaviour.split_scale\" = { low = 0.5, high = 2 }\n\
                [accepted]\nparameters = [\"behaviour.norm_weight\"]\ndraws = [[0.3], [0.7]]\n";
    let p = Priors::parse(text, "p").unwrap();
    // then every replication takes one accepted row for it, and the other varies in its range
    assert_eq!(
        p.names(),
        ["behaviour.norm_weight", "behaviour.split_scale"]
    );
    let draws: Vec<Vec<f64>> = (0..40).map(|r| p.draw(9, r)).collect();
    assert!(draws.iter().all(|d| d[0] == 0.3 || d[0] == 0.7));
    assert!(draws.iter().all(|d| (0.5..=2.0).contains(&d[1])));
    let distinct: std::collections::BTreeSet<u64> = draws.iter().map(|d| d[1].to_bits()).collect();
    assert_eq!(distinct.len(), 40, "drawn afresh each replication");
    // and priors chained after these come after both
    let rest = Priors::parse(
        "[parameters]\n\"behaviour.uplift\" = { low = 0.5, high = 1 }\n\
         \"behaviour.norm_weight\" = { low = 0.2, high = 0.8 }\n",
        "q",
    )
    .unwrap();
    let chained = p.then(rest);
    assert_eq!(
        chained.names(),
        [
            "behaviour.norm_weight",
            "behaviour.split_scale",
            "behaviour.uplift"
        ]
    );
    // an accepted name that [parameters] does not list is refused
    let e = error(
        "[parameters]\n\"behaviour.norm_weight\" = { low = 0.2, high = 0.8 }\n\
         [accepted]\nparameters = [\"behaviour.uplift\"]\ndraws = [[0.9]]\n",
    );
    assert!(e.contains("behaviour.uplift"), "{e}");
}

fn error(text: &str) -> String {
    Priors::parse(text, "p.toml").unwrap_err().to_string()
}

#[test]
fn bad_priors_are_refused_naming_the_key_and_the_range() {
    let e = error("[parameters]\n\"behaviour.nope\" = { low = 0, high = 1 }\n");
    assert!(e.contains("behaviour.nope") && e.contains("p.toml"), "{e}");
    let e = error("[parameters]\n\"behaviour.norm_weight\" = { low = 0.8, high = 0.2 }\n");
    assert!(e.contains("low <= high"), "{e}");
    // a bound the model cannot run: the scenario's own range is named
    let e = error("[parameters]\n\"behaviour.uplift\" = { low = 0.5, high = 20 }\n");
    assert!(
        e.contains("behaviour.uplift") && e.contains("high") && e.contains("[0, 10]"),
        "{e}"
    );
    let e = error("[parameters]\n\"behaviour.uplift\" = { low = 0.5, high = 1, mean = 2 }\n");
    assert!(e.contains("mean"), "{e}");
    let e = error("[parameters]\nx = 1\n[other]\n");
    assert!(e.contains("other"), "{e}");
}

#[test]
fn accepted_draws_outside_their_ranges_or_misnamed_are_refused() {
    let head = "[parameters]\n\"behaviour.norm_weight\" = { low = 0.2, high = 0.8 }\n[accepted]\n";
    let e = error(&format!(
        "{head}parameters = [\"behaviour.norm_weight\"]\ndraws = [[0.9]]\n"
    ));
    assert!(e.contains("draws[0]") && e.contains("[0.2, 0.8]"), "{e}");
    let e = error(&format!(
        "{head}parameters = [\"behaviour.pad_scale\"]\ndraws = [[0.5]]\n"
    ));
    assert!(
        e.contains("\"behaviour.pad_scale\", which [parameters] does not list"),
        "{e}"
    );
    let e = error(&format!(
        "{head}parameters = [\"behaviour.norm_weight\"]\ndraws = [[0.5, 1]]\n"
    ));
    assert!(e.contains("2 values"), "{e}");
}

#[test]
fn priors_then_the_rest_draw_both_and_the_first_wins_a_shared_column() {
    // given a posterior over uplift and token_scale and the calibrated priors (which hold uplift
    // too), then the combined priors name the posterior's two columns (in path order, as a
    // priors file's are read), then the calibrated ones
    // but uplift, and each replication's draw is one accepted row of each
    let text = "[parameters]\n\"behaviour.uplift\" = { low = 0.1, high = 2.0 }\n\
                \"behaviour.token_scale\" = { low = 1e5, high = 1e9 }\n\
                [accepted]\nparameters = [\"behaviour.uplift\", \"behaviour.token_scale\"]\n\
                draws = [[0.3, 2e6], [0.4, 3e6]]\n";
    let post = Priors::parse(text, "posterior.toml").unwrap();
    let cal = shipped("calibrated");
    let both = post.clone().then(cal.clone());
    let names = both.names();
    assert_eq!(names.len(), 2 + cal.names().len() - 1);
    assert_eq!(names[..2], ["behaviour.token_scale", "behaviour.uplift"]);
    assert_eq!(
        names.iter().filter(|n| **n == "behaviour.uplift").count(),
        1
    );
    let uplift = cal
        .names()
        .iter()
        .position(|n| *n == "behaviour.uplift")
        .unwrap();
    for r in 0..20 {
        let d = both.draw(3, r);
        assert!(post.accepted.contains(&d[..2].to_vec()), "{d:?}");
        // the calibrated accepted columns but uplift; the ones no target sees come after them
        let row: Vec<f64> = d[2..2 + cal.parameters.len() - 1].to_vec();
        assert!(
            cal.accepted.iter().any(|a| {
                let mut a = a.clone();
                a.remove(uplift);
                a == row
            }),
            "replication {r}: not a calibrated row"
        );
    }
    // and priors alone draw as before
    assert_eq!(post.draw(3, 5), post.clone().draw(3, 5));
    assert!(post.rest.is_none());
}
