//! Net value by horizon: the weekly net value cumulated to 26, 52, 104 and 156 weeks, as it is
//! and discounted to present value, and the break-even week (docs/model.md, observation).
//!
//! A horizon counts only when the run reaches it: nothing is extrapolated beyond the last week.
//! Discounting is weekly at an annual rate `r`: the week numbered `t` in weekly.csv (0 for the
//! first) weighs `(1 + r)^(-t/52)`.

/// The summary's horizons, declared once: the weeks, then what the summary reports at each (a
/// [`Kind`]: its summary.json key `<prefix>_<H>w_usd` and its words `<before><H><after>`).
/// `horizon_table!(then)` hands this to the macro `then!`; [`HORIZONS`] and [`Kind`] (here), the
/// summary's fields ([`super::summary::Horizons`]) and the figure table's rows
/// ([`super::figures`]) are all made from it, so a horizon or a kind is added here alone.
macro_rules! horizon_table {
    ($then:ident) => {
        $then! {
            [26, 52, 104, 156]
            NetValue => "net_value", "Net value, first ", " weeks";
            NetValuePerEmployeeYear => "net_value_per_employee_year", "Net value a year per employee over ", " weeks";
            Npv => "npv", "Net value discounted to present, first ", " weeks";
            NpvPerEmployeeYear => "npv_per_employee_year", "Net value discounted to present, a year per employee over ", " weeks";
        }
    };
}
pub(crate) use horizon_table;

/// [`HORIZONS`] and [`Kind`] from [`horizon_table`].
macro_rules! declare {
    ([$($h:literal),+] $($kind:ident => $prefix:literal, $before:literal, $after:literal;)+) => {
        /// The horizons reported, in weeks.
        pub const HORIZONS: [u32; [$($h),+].len()] = [$($h),+];

        /// What the summary reports at each of [`HORIZONS`], in summary.json's order: net value
        /// cumulated over the first H weeks, that per employee-year, and both discounted.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($kind),+
        }

        impl Kind {
            /// Every kind, in summary.json's order.
            pub const ALL: [Kind; [$(Kind::$kind),+].len()] = [$(Kind::$kind),+];

            /// Its summary.json key (and figure name) at a horizon of `weeks`.
            pub fn name(self, weeks: u32) -> String {
                match self {
                    $(Kind::$kind => format!(concat!($prefix, "_{}w_usd"), weeks)),+
                }
            }

            /// Its words for people at a horizon of `weeks`.
            pub fn label(self, weeks: u32) -> String {
                match self {
                    $(Kind::$kind => format!(concat!($before, "{}", $after), weeks)),+
                }
            }
        }
    };
}
horizon_table!(declare);

impl Kind {
    /// Whether it is discounted to present value.
    pub fn discounted(self) -> bool {
        matches!(self, Kind::Npv | Kind::NpvPerEmployeeYear)
    }

    /// Its value at a horizon of `h` weeks from the cumulative net value `cum` and its
    /// discounted form `disc` (None beyond their length), for `employees`.
    pub fn of(self, cum: &[f64], disc: &[f64], h: u32, employees: u32) -> Option<f64> {
        match self {
            Kind::NetValue => at_horizon(cum, h),
            Kind::NetValuePerEmployeeYear => per_employee_year(cum, h, employees),
            Kind::Npv => at_horizon(disc, h),
            Kind::NpvPerEmployeeYear => per_employee_year(disc, h, employees),
        }
    }
}

/// The weight of week `t` (0 for the first week) at annual discount rate `rate`.
pub fn discount_factor(week: u32, rate: f64) -> f64 {
    (1.0 + rate).powf(-f64::from(week) / 52.0)
}

/// Running sums of `values`: element `k` is the sum of the first `k + 1`.
pub fn cumulate(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    values
        .into_iter()
        .scan(0.0, |acc, v| {
            *acc += v;
            Some(*acc)
        })
        .collect()
}

/// Running sums of a weekly series discounted at `rate` (the first value is week 0).
pub fn cumulate_discounted(values: &[f64], rate: f64) -> Vec<f64> {
    cumulate(
        values
            .iter()
            .enumerate()
            .map(|(t, v)| v * discount_factor(t as u32, rate)),
    )
}

/// The cumulative value over the first `h` weeks (None when the run is shorter than `h`).
pub fn at_horizon(cumulative: &[f64], h: u32) -> Option<f64> {
    let h = h as usize;
    (h > 0 && cumulative.len() >= h).then(|| cumulative[h - 1])
}

/// The same per employee and year: the cumulative value over `h` weeks, divided by the
/// employees, times 52 / h.
pub fn per_employee_year(cumulative: &[f64], h: u32, employees: u32) -> Option<f64> {
    at_horizon(cumulative, h).map(|v| v / f64::from(employees.max(1)) * 52.0 / f64::from(h))
}

/// The break-even week: the first week (0 for the first) from which the cumulative value stays
/// at or above zero to the end of the series; None if it ends below zero or is empty.
pub fn break_even_week(cumulative: &[f64]) -> Option<u32> {
    // (NaN counts as below zero)
    let at_or_above = |v: &f64| v.partial_cmp(&0.0).is_some_and(|o| o.is_ge());
    if !at_or_above(cumulative.last()?) {
        return None;
    }
    let last_below = cumulative.iter().rposition(|v| !at_or_above(v));
    Some(last_below.map_or(0, |k| k as u32 + 1))
}

/// The first week from which the cumulative value stays below zero to the end (None if it ends
/// at or above zero): when a policy ahead early falls behind for good.
pub fn loss_week(cumulative: &[f64]) -> Option<u32> {
    let negated: Vec<f64> = cumulative
        .iter()
        .map(|v| if *v < 0.0 { 1.0 } else { -1.0 })
        .collect();
    break_even_week(&negated)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + b.abs())
    }

    #[test]
    fn cumulative_and_discounted_sums_match_a_hand_computation() {
        // given a weekly net value of 100 for 104 weeks, when cumulated, then 26 weeks hold 2,600
        // and 104 hold 10,400, and per employee-year (10 employees) both are 100 * 52 / 10 = 520
        let weekly = vec![100.0; 104];
        let cum = cumulate(weekly.iter().copied());
        assert_eq!(at_horizon(&cum, 26), Some(2_600.0));
        assert_eq!(at_horizon(&cum, 104), Some(10_400.0));
        assert_eq!(per_employee_year(&cum, 26, 10), Some(520.0));
        assert_eq!(per_employee_year(&cum, 104, 10), Some(520.0));
        // and discounted at 10% a year, week t weighs 1.1^(-t/52): the sum over 52 weeks is the
        // geometric series (1 - q^52) / (1 - q) with q = 1.1^(-1/52), times 100
        let disc = cumulate_discounted(&weekly, 0.10);
        let q = 1.1f64.powf(-1.0 / 52.0);
        let expected = 100.0 * (1.0 - q.powi(52)) / (1.0 - q);
        assert!(close(at_horizon(&disc, 52).unwrap(), expected));
        // week 52 weighs exactly 1/1.1, week 0 exactly 1
        assert!(close(disc[52] - disc[51], 100.0 / 1.1));
        assert_eq!(disc[0], 100.0);
        // at a 0% rate discounting changes nothing
        assert_eq!(cumulate_discounted(&weekly, 0.0), cum);
    }

    #[test]
    fn a_horizon_beyond_the_run_is_none() {
        // given a 60-week run, then 26 and 52 weeks are reported, 104 and 156 are not
        let cum = cumulate(vec![1.0; 60]);
        assert_eq!(at_horizon(&cum, 52), Some(52.0));
        assert_eq!(at_horizon(&cum, 104), None);
        assert_eq!(per_employee_year(&cum, 156, 5), None);
        assert_eq!(at_horizon(&[], 26), None);
    }

    #[test]
    fn break_even_week_on_a_series_that_dips_then_recovers() {
        // given net values -3, -2, +1, +3, -1, +4 the cumulative values are -3, -5, -4, -1, -2, +2:
        // it stays at or above zero from week 5 only
        let cum = cumulate([-3.0, -2.0, 1.0, 3.0, -1.0, 4.0]);
        assert_eq!(cum, vec![-3.0, -5.0, -4.0, -1.0, -2.0, 2.0]);
        assert_eq!(break_even_week(&cum), Some(5));
        // a series that ends below zero never breaks even; one never below breaks even at once
        assert_eq!(break_even_week(&cumulate([1.0, -2.0])), None);
        assert_eq!(break_even_week(&cumulate([0.0, 1.0])), Some(0));
        assert_eq!(break_even_week(&[]), None);
        // a crossing back above zero is not a break-even while it dips again later
        assert_eq!(
            break_even_week(&cumulate([1.0, -2.0, 2.0, -2.0, 3.0])),
            Some(4)
        );
        // and a series ahead early that falls behind for good loses from its last crossing
        assert_eq!(loss_week(&cumulate([2.0, -1.0, -3.0, 1.0, -1.0])), Some(2));
        assert_eq!(loss_week(&cumulate([1.0])), None);
    }
}
