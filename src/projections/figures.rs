//! The summary figures, one row each: name (as in summary.json and the batch tables), words for
//! people, unit, which way is better, and how to read it from a [`Summary`]. Sweeps, sensitivity analyses, calibrations and
//! reports take figures from here, so a figure is added in one place (and in [`Summary`]).
//!
//! The order is part of the journal format of batches (a run's figures are stored in it):
//! append new figures at the end.

use super::Summary;
use super::horizons::{HORIZONS, Kind, horizon_table};

/// Which way a figure is better, for rankings and verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither (a description, not a goal: reported activity, top-decile ratios).
    Neither,
}

/// What a figure's number measures, which decides how it is written for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A share or a relative change, 0.1 = 10% (a change of it is in percentage points).
    Share,
    /// A difference between two shares, written in percentage points.
    Points,
    /// US dollars.
    Usd,
    /// Tokens.
    Tokens,
    /// A multiple of a reference value ("3.2x").
    Ratio,
    /// Output dollars per token dollar.
    UsdPerUsd,
    /// A week of the run.
    Week,
    /// Output units: one is an average employee's week without AI.
    PersonWeeks,
    /// A count of things, with their noun.
    Count(&'static str),
    /// A plain index (a Gini coefficient).
    Index,
}

/// A summary figure.
#[derive(Debug, Clone, Copy)]
pub struct Figure {
    pub name: &'static str,
    /// Words for people: the one wording of the figure in every report, table and chart.
    pub label: &'static str,
    pub unit: Unit,
    pub better: Better,
    /// The value (None where undefined, e.g. ROI without cost, a target never met).
    pub get: fn(&Summary) -> Option<f64>,
}

/// The table: [`FIGURES`], and [`Fig`] naming each entry so code that means one figure names it
/// by a variant (a misspelt figure does not compile). `@horizons;` marks where the horizon rows
/// go ([`HORIZON_ROWS`], made from [`horizon_table`]; they have no [`Fig`]: [`horizon`] finds one).
macro_rules! figures {
    ($($name:ident => $label:literal, $unit:expr, $better:ident $(, $conv:expr)?;)+
     @horizons;
     $($after:ident => $alabel:literal, $aunit:expr, $abetter:ident $(, $aconv:expr)?;)+) => {
        /// Every summary figure by name but the horizons', in [`FIGURES`]' order:
        /// `Fig::padding_share.figure()`.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Fig {
            $($name,)+
            $($after),+
        }

        impl Fig {
            /// Every figure named by a variant, in [`FIGURES`]' order.
            pub const ALL: &[Fig] = &[$(Fig::$name,)+ $(Fig::$after),+];
        }

        /// The rows before the horizons'.
        const BEFORE: &[Figure] = &[$(figures!(@row $name, $label; $unit, $better $(, $conv)?)),+];
        /// The rows after the horizons'.
        const AFTER: &[Figure] = &[$(figures!(@row $after, $alabel; $aunit, $abetter $(, $aconv)?)),+];
    };
    (@row $name:ident, $label:literal; $unit:expr, $better:ident $(, $conv:expr)?) => {
        Figure {
            name: stringify!($name),
            label: $label,
            unit: $unit,
            better: Better::$better,
            get: figures!(@get $name $(, $conv)?),
        }
    };
    (@get $name:ident) => { |s: &Summary| Some(s.$name as f64) };
    (@get $name:ident, $conv:expr) => { $conv };
}

/// [`HORIZON_ROWS`] from [`horizon_table`]: a row per kind and horizon, named and worded as
/// [`Kind::name`] and [`Kind::label`] (a test holds them to it).
macro_rules! horizon_rows {
    ($weeks:tt $($kind:ident => $prefix:literal, $before:literal, $after:literal;)+) => {
        /// The horizon rows of the table, kind by kind in [`Kind::ALL`] order, each in
        /// [`HORIZONS`] order (summary.json's order).
        pub const HORIZON_ROWS: [[Figure; HORIZONS.len()]; Kind::ALL.len()] =
            [$(horizon_rows!(@kind $kind, $prefix, $before, $after, $weeks)),+];
    };
    (@kind $kind:ident, $prefix:literal, $before:literal, $after:literal, [$($h:literal),+]) => {
        [$(Figure {
            name: concat!($prefix, "_", $h, "w_usd"),
            label: concat!($before, $h, $after),
            unit: Usd,
            better: Better::Higher,
            get: |s: &Summary| s.horizons.get(Kind::$kind, $h),
        }),+]
    };
}

horizon_table!(horizon_rows);

/// Every summary figure, in the batches' journal order (a static: a row is one place in memory).
pub static FIGURES: &[Figure] = &joined::<{ BEFORE.len() + HORIZON_COUNT + AFTER.len() }>();

/// How many horizon rows the table has.
const HORIZON_COUNT: usize = HORIZONS.len() * Kind::ALL.len();

/// [`BEFORE`], the horizon rows and [`AFTER`], in one array of `N` rows.
const fn joined<const N: usize>() -> [Figure; N] {
    let mut out = [BEFORE[0]; N];
    let mut n = 0;
    let mut i = 0;
    while i < BEFORE.len() {
        out[n] = BEFORE[i];
        (n, i) = (n + 1, i + 1);
    }
    let mut k = 0;
    while k < HORIZON_ROWS.len() {
        let mut i = 0;
        while i < HORIZON_ROWS[k].len() {
            out[n] = HORIZON_ROWS[k][i];
            (n, i) = (n + 1, i + 1);
        }
        k += 1;
    }
    let mut i = 0;
    while i < AFTER.len() {
        out[n] = AFTER[i];
        (n, i) = (n + 1, i + 1);
    }
    assert!(n == N);
    out
}

impl Fig {
    /// The figure's row of the table.
    pub const fn figure(self) -> &'static Figure {
        let i = self as usize;
        &FIGURES[if i < BEFORE.len() {
            i
        } else {
            i + HORIZON_COUNT
        }]
    }

    /// The figure's name (its summary.json key).
    pub const fn name(self) -> &'static str {
        self.figure().name
    }
}

use Unit::*;

figures! {
    top_decile_token_ratio => "Top tenth's tokens over the median user's", Ratio, Neither;
    top_decile_output_ratio => "Top tenth's output over the median user's", Ratio, Neither;
    padding_share => "Padding share of all tokens", Share, Lower;
    peak_padding_share => "Highest weekly padding share", Share, Lower;
    peak_padding_week => "Week of the highest padding share", Week, Neither;
    reported_vs_genuine_gap => "Reported minus genuine activity", Points, Lower;
    mean_reported_active_share => "Weekly active on the dashboard (mean)", Share, Neither;
    mean_genuine_active_share => "Weekly active genuinely (mean)", Share, Higher;
    first_week_target_met => "First week the target was reported met", Week, Neither, |s: &Summary| s.first_week_target_met.map(f64::from);
    annual_cost_per_employee_usd => "Token cost a year per employee", Usd, Lower;
    cost_share_of_salary => "Token cost as a share of salary", Share, Lower;
    median_monthly_cost_per_active_usd => "Median monthly cost per genuinely active user", Usd, Neither;
    median_weekly_tokens_per_user => "Median user's tokens per week", Tokens, Neither;
    output_uplift => "Output over working without AI", Share, Higher;
    value_uplift => "Value over working without AI (through teams' review queues)", Share, Higher;
    roi => "Output dollars per token dollar", UsdPerUsd, Neither, |s: &Summary| s.roi;
    tokens_total => "Tokens, whole run", Tokens, Neither;
    tokens_genuine => "Tokens on real work by people, whole run", Tokens, Neither;
    tokens_padding => "Padding tokens (bought nothing), whole run", Tokens, Lower;
    tokens_bot => "Bots' useful tokens, whole run", Tokens, Neither;
    cost_usd => "Token cost, whole run", Usd, Lower;
    incidents => "Bot incidents", Count("incidents"), Lower;
    incident_cost => "Output lost to incidents", PersonWeeks, Lower;
    bots_deployed => "Bots built", Count("bots"), Neither;
    token_gini_users => "Gini of tokens among users (0 equal, 1 one user)", Index, Neither;
    users => "Employees who used AI at all", Count("employees"), Neither;
    net_value_usd => "Net value, whole run", Usd, Higher;
    net_value_per_employee_year_usd => "Net value a year per employee", Usd, Higher;
    rework_cost => "Output lost to rework", PersonWeeks, Lower;
    noise_cost => "Output lost to bot noise", PersonWeeks, Lower;
    padding_time_cost => "Working time spent gaming metrics (padding, splitting)", PersonWeeks, Lower;
    perceived_uplift => "Speed-up users feel (median)", Share, Neither;
    measured_uplift => "Speed-up users have (median)", Share, Higher;
    say_faster_share => "Users who say AI makes them faster", Share, Neither;
    are_faster_share => "Users who are measurably faster", Share, Higher;
    perceived_uplift_first_quarter => "Speed-up users feel in the first quarter (median)", Share, Neither;
    measured_uplift_first_quarter => "Speed-up users have in the first quarter (median)", Share, Higher;
    break_even_week => "Week from which cumulative net value stays at or above zero", Week, Neither, |s: &Summary| s.horizons.break_even_week.map(f64::from);
    npv_usd => "Net value discounted to present, whole run", Usd, Higher, |s: &Summary| Some(s.horizons.npv_usd);
    npv_per_employee_year_usd => "Net value discounted to present, a year per employee", Usd, Higher, |s: &Summary| Some(s.horizons.npv_per_employee_year_usd);
    @horizons;
    quality_cost => "Output lost to escaped defects (bugs, incidents)", PersonWeeks, Lower, |s: &Summary| Some(s.delivery.quality_cost);
    unreviewed_share => "Share of merged work no one reviewed", Share, Lower, |s: &Summary| Some(s.delivery.unreviewed_share);
    review_load_last_quarter => "Time in review over working without AI, last quarter", Ratio, Lower, |s: &Summary| Some(s.delivery.review_load_last_quarter);
    split_share_last_quarter => "Share splitting work to raise an outcome metric, last quarter", Share, Lower, |s: &Summary| Some(s.delivery.split_share_last_quarter);
    output_uplift_low_fit => "Output over working without AI, the third with the lowest AI fit", Share, Higher;
    output_uplift_mid_fit => "Output over working without AI, the middle third of AI fit", Share, Higher;
    output_uplift_high_fit => "Output over working without AI, the third with the highest AI fit", Share, Higher;
}

impl Unit {
    /// The unit of a figure by name (see [`figure`]: a name that is no figure panics).
    pub fn of(name: &str) -> Unit {
        figure(name).unit
    }

    /// A value in short form (tables, verdicts): dollars, percentages (points for a `change`)
    /// or a number; "n/a" when not finite.
    pub fn short(self, v: f64, change: bool) -> String {
        let sign = if change && v > 0.0 { "+" } else { "" };
        if !v.is_finite() {
            return "n/a".into();
        }
        match self {
            Usd => {
                let minus = if v < 0.0 { "-" } else { sign };
                let n = v.abs();
                let body = if n >= 1000.0 {
                    number(n)
                } else {
                    format!("{n:.0}")
                };
                format!("{minus}${body}")
            }
            Share => {
                let unit = if change { " pts" } else { "%" };
                format!("{sign}{:.2}{unit}", v * 100.0)
            }
            _ => format!("{sign}{}", number(v)),
        }
    }

    /// A value with its unit in words (report.html); a `change` is signed, shares in points.
    pub fn text(self, v: f64, change: bool) -> String {
        let text = self.short(v, change);
        if !v.is_finite() {
            return text;
        }
        let sign = if change && v > 0.0 { "+" } else { "" };
        match self {
            Points => format!("{sign}{:.1} percentage points", v * 100.0),
            Ratio => format!("{text}x"),
            UsdPerUsd => format!("{text} $/$"),
            Week if !change => format!("week {v:.0}"),
            Tokens => format!("{text} tokens"),
            PersonWeeks => format!("{text} person-weeks"),
            Count(noun) => {
                let n = if v.fract() == 0.0 {
                    format!("{sign}{v:.0}")
                } else {
                    format!("{sign}{v:.1}")
                };
                format!("{n} {noun}")
            }
            _ => text,
        }
    }

    /// Whether values are shares (drawn as percentages or points on charts).
    pub fn is_share(self) -> bool {
        matches!(self, Share | Points)
    }
}

/// A number for people: thousands separated, small numbers with 3 significant decimals.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (k, ch) in s.chars().enumerate() {
            if k > 0 && (s.len() - k) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        format!("{}{out}", if v < 0.0 { "-" } else { "" })
    } else {
        format!("{v:.3}")
    }
}

/// The figure of a name (a summary figure, or a horizon figure made by [`horizon`]).
pub fn find(name: &str) -> Option<&'static Figure> {
    FIGURES.iter().find(|f| f.name == name).or_else(|| {
        let made = MADE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        made.values().copied().find(|f| f.name == name)
    })
}

/// The figure of a name that must be one. Every name a report writes comes from [`FIGURES`]
/// (through [`Fig`] where the code names one), from [`horizon`], or from a spec that was checked
/// against them, so an unknown name is a bug: it panics naming it, and the tests that build
/// every report find it, rather than a figure being written as a plain number.
pub fn figure(name: &str) -> &'static Figure {
    find(name).unwrap_or_else(|| panic!("`{name}` is not a summary figure (a bug)"))
}

/// The horizon figures made for horizons other than the summary's, by (weeks, discounted).
static MADE: std::sync::Mutex<std::collections::BTreeMap<(u32, bool), &'static Figure>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The figure of net value a year per employee over the first `weeks` weeks (discounted to
/// present or not): the summary's own for 26, 52, 104 and 156 weeks; for other horizons
/// (`compare --horizons`) a figure made once per process (no summary holds it: `get` gives
/// None, and `compare` computes it from the weekly net value).
pub fn horizon(weeks: u32, discounted: bool) -> &'static Figure {
    let kind = if discounted {
        Kind::NpvPerEmployeeYear
    } else {
        Kind::NetValuePerEmployeeYear
    };
    let name = kind.name(weeks);
    if let Some(f) = FIGURES.iter().find(|f| f.name == name) {
        return f;
    }
    let mut made = MADE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    made.entry((weeks, discounted)).or_insert_with(|| {
        let label: &'static str = Box::leak(kind.label(weeks).into_boxed_str());
        Box::leak(Box::new(Figure {
            name: Box::leak(name.into_boxed_str()),
            label,
            unit: Usd,
            better: Better::Higher,
            get: |_| None,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_horizon_figure_is_the_summary_s_own_or_made_once_and_found_by_name() {
        assert!(std::ptr::eq(
            horizon(52, false),
            find("net_value_per_employee_year_52w_usd").unwrap()
        ));
        let ten = horizon(10, true);
        assert_eq!(ten.name, "npv_per_employee_year_10w_usd");
        assert!(std::ptr::eq(ten, horizon(10, true)), "made once");
        assert!(std::ptr::eq(find(ten.name).unwrap(), ten));
        assert_eq!((ten.unit, ten.better), (Usd, Better::Higher));
        assert_eq!(
            horizon(10, false).label,
            "Net value a year per employee over 10 weeks"
        );
    }

    #[test]
    fn every_numeric_summary_field_is_a_figure_and_reads_the_same_value() {
        // The figures cover summary.json's numeric fields (ids and sizes aside), and each getter
        // reads the value serde writes under the same name.
        let s = crate::simulate(&crate::model::testkit::sized("amazon-2026", 300, 14), 0).summary;
        let json = serde_json::to_value(&s).unwrap();
        let skip = [
            "seed",
            "replication",
            "employees",
            "weeks",
            "output_unit_usd",
            "discount_rate",
        ];
        for (k, v) in json.as_object().unwrap() {
            if v.is_number() && !skip.contains(&k.as_str()) {
                let f = find(k).unwrap_or_else(|| panic!("{k} is not in FIGURES"));
                assert_eq!((f.get)(&s), v.as_f64(), "{k}");
            }
        }
    }

    #[test]
    fn figures_read_with_their_units() {
        let short = |n: &str, v: f64, change: bool| Unit::of(n).short(v, change);
        assert_eq!(short("net_value_usd", 34386.2, false), "$34,386");
        assert_eq!(short("net_value_usd", -545.4, true), "-$545");
        assert_eq!(short("net_value_usd", 545.4, true), "+$545");
        assert_eq!(short("padding_share", 0.1234, false), "12.34%");
        assert_eq!(short("padding_share", -0.1234, true), "-12.34 pts");
        assert_eq!(short("incidents", 53.15, false), "53.150");
        assert_eq!(
            Unit::of("tokens_total").text(2e6, false),
            "2,000,000 tokens"
        );
        assert_eq!(Unit::of("peak_padding_week").text(12.0, false), "week 12");
        assert_eq!(
            Unit::of("rework_cost").text(3.5, false),
            "3.500 person-weeks"
        );
    }

    #[test]
    #[should_panic(expected = "`not_a_figure` is not a summary figure")]
    fn an_unknown_figure_has_no_unit() {
        Unit::of("not_a_figure");
    }

    #[test]
    fn every_fig_names_its_own_row() {
        assert_eq!(Fig::ALL.len() + HORIZON_COUNT, FIGURES.len());
        for (i, f) in Fig::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(format!("{f:?}"), f.figure().name);
            assert!(std::ptr::eq(f.figure(), figure(f.name())));
        }
    }

    #[test]
    fn every_horizon_has_its_figure_rows_in_summary_order() {
        // Each kind at each horizon is a row named and worded as the kind says, reading the
        // summary's own value; the rows follow `npv_per_employee_year_usd` in summary.json's
        // order of the horizon fields.
        let scenario = crate::scenario::Scenario::load_with(
            &crate::scenario::Source::Builtin("amazon-2026".into()),
            &crate::scenario::Overrides::default(),
        )
        .unwrap()
        .0;
        let mut s = crate::projections::Summary::build(&scenario, 0, &[], &[], 0.0, 0.0, 0);
        let start = FIGURES
            .iter()
            .position(|f| f.name == "npv_per_employee_year_usd")
            .unwrap()
            + 1;
        let mut row = FIGURES[start..].iter();
        for (k, kind) in Kind::ALL.into_iter().enumerate() {
            for (i, &h) in HORIZONS.iter().enumerate() {
                let f = row.next().unwrap();
                assert_eq!(f.name, kind.name(h));
                assert!(std::ptr::eq(figure(&kind.name(h)), f), "{}", f.name);
                assert_eq!(f.label, &*kind.label(h));
                assert_eq!((f.unit, f.better), (Usd, Better::Higher));
                let v = (k * 10 + i) as f64;
                s.horizons.at[k][i] = Some(v);
                assert_eq!((f.get)(&s), Some(v), "{}", f.name);
            }
        }
        assert_eq!(row.next().unwrap().name, "quality_cost");
        // the summary's per-employee-year horizons are the figures `horizon` gives
        let h = HORIZONS[0];
        assert!(std::ptr::eq(
            horizon(h, true),
            figure(&Kind::NpvPerEmployeeYear.name(h))
        ));
    }

    #[test]
    fn units_agree_with_the_naming_conventions() {
        // A new figure named like a share, a dollar amount or a token count gets that unit.
        for f in FIGURES {
            let expected = if f.name.ends_with("_usd") {
                Some(Usd)
            } else if f.name.ends_with("_share") || f.name.contains("uplift") {
                Some(Share)
            } else if f.name.starts_with("tokens_") {
                Some(Tokens)
            } else if f.name.ends_with("_ratio") {
                Some(Ratio)
            } else {
                None
            };
            if let Some(unit) = expected {
                assert_eq!(f.unit, unit, "{}", f.name);
            }
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1234567.8), "1,234,568");
        assert_eq!(number(-2000.0), "-2,000");
        assert_eq!(number(0.12345), "0.123");
        assert_eq!(number(f64::NAN), "n/a");
    }
}
