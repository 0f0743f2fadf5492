//! Small statistics over slices: quantiles, Gini, deciles. Deterministic (ties broken by index).

use super::{AgentRow, DecileRow};

/// Nearest-rank quantile `p` in [0, 1], reordering `v` (selection, O(n)). None if empty.
pub fn quantile_in_place(v: &mut [f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    let (_, x, _) = v.select_nth_unstable_by(rank, f64::total_cmp);
    Some(*x)
}

/// Median (mean of the two middle values for an even count), reordering `v`. None if empty.
pub fn median_in_place(v: &mut [f64]) -> Option<f64> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (lo, hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *hi;
    if n % 2 == 1 {
        Some(upper)
    } else {
        let lower = lo.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lower + upper) / 2.0)
    }
}

/// `key(k)` of the items `k`, in their order, into `buffer` (cleared first). The folds keep
/// 4-byte indices while they run and gather the 8-byte values only for a selection: selecting on
/// the indices with the key looked up in every comparison was four times slower at a million
/// items. What else a fold takes of the same values (their sum, how many are positive) is read
/// from the buffer before the selection reorders it, not worked out again from the items.
pub fn gather_by_key(buffer: &mut Vec<f64>, items: &[u32], key: impl Fn(u32) -> f64 + Sync) {
    use rayon::prelude::*;
    buffer.clear();
    buffer.par_extend(items.par_iter().map(|&k| key(k)));
}

/// Gini coefficient of non-negative values (0 = equal, 1 = one holds all), sorting `v`.
pub fn gini(v: &mut [f64]) -> f64 {
    let sum: f64 = v.iter().sum();
    crate::model::rank::sort_floats(v);
    gini_sorted(v, sum)
}

/// [`gini`] of values already sorted ascending, given their `sum` (summed in their original
/// order, as [`gini`] does, so both give the same bits).
pub fn gini_sorted(v: &[f64], sum: f64) -> f64 {
    let n = v.len();
    if n == 0 || sum <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    (2.0 * weighted) / (n as f64 * sum) - (n as f64 + 1.0) / n as f64
}

/// `items` ordered by `key` ascending, ties by index (a unique order, so the parallel sort gives
/// the same result at any thread count).
pub fn rank_order(items: &[usize], key: &(dyn Fn(usize) -> f64 + Sync)) -> Vec<usize> {
    use rayon::prelude::*;
    let mut keyed: Vec<(f64, usize)> = items.par_iter().map(|&i| (key(i), i)).collect();
    keyed.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Ten rows of deciles of `order` (items ranked by `tokens`, as [`rank_order`] gives them), with
/// ratios over the medians of all items.
pub fn deciles(
    order: &[usize],
    tokens: &dyn Fn(usize) -> f64,
    output: &dyn Fn(usize) -> f64,
) -> Vec<DecileRow> {
    let n = order.len();
    let mut tok: Vec<f64> = order.iter().map(|&i| tokens(i)).collect();
    let mut out: Vec<f64> = order.iter().map(|&i| output(i)).collect();
    let med_tok = median_in_place(&mut tok.clone()).unwrap_or(0.0);
    let med_out = median_in_place(&mut out.clone()).unwrap_or(0.0);
    tok.clear();
    out.clear();
    (0..10u8)
        .map(|d| {
            let lo = n * d as usize / 10;
            let hi = n * (d as usize + 1) / 10;
            let members = &order[lo..hi];
            let k = members.len().max(1) as f64;
            let mean_tokens = members.iter().map(|&i| tokens(i)).sum::<f64>() / k;
            let mean_output = members.iter().map(|&i| output(i)).sum::<f64>() / k;
            let ratio = |a: f64, m: f64| if m != 0.0 { a / m } else { 0.0 };
            DecileRow {
                decile: d + 1,
                agents: members.len() as u32,
                mean_tokens,
                mean_output,
                token_ratio: ratio(mean_tokens, med_tok),
                output_ratio: ratio(mean_output, med_out),
            }
        })
        .collect()
}

/// Output over working without AI over `weeks`, minus one, of each third of `agents` ranked by
/// AI fit (ties by agent id): lowest, middle, highest. A third without skill reads 0.
pub fn uplift_by_fit_third(agents: &[AgentRow], weeks: usize) -> [f64; 3] {
    let mut order: Vec<&AgentRow> = agents.iter().collect();
    order.sort_by(|a, b| a.ai_fit.total_cmp(&b.ai_fit).then(a.agent.cmp(&b.agent)));
    let n = order.len();
    std::array::from_fn(|k| {
        let third = &order[k * n / 3..(k + 1) * n / 3];
        let output: f64 = third.iter().map(|a| a.output_total).sum();
        let skill: f64 = third.iter().map(|a| a.skill).sum::<f64>() * weeks as f64;
        if skill > 0.0 {
            output / skill - 1.0
        } else {
            0.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uplift_by_fit_third_splits_by_fit_and_weighs_by_skill() {
        // given six agents over two weeks, fit falling as the id rises, each third's output set
        let row = |agent: u32, ai_fit: f64, skill: f64, output_total: f64| AgentRow {
            agent,
            team: 0,
            group: std::sync::Arc::from("g"),
            skill,
            ai_fit,
            proficiency: 0.5,
            has_bot: false,
            tokens_total: 0.0,
            tokens_genuine: 0.0,
            tokens_padding: 0.0,
            output_total,
            output_uplift: 0.0,
            incidents: 0,
            token_decile: 0,
        };
        let agents = [
            row(0, 0.9, 1.0, 3.0),
            row(1, 0.8, 3.0, 9.0),
            row(2, 0.5, 1.0, 2.0),
            row(3, 0.4, 1.0, 2.0),
            row(4, 0.1, 1.0, 1.0),
            row(5, 0.0, 1.0, 1.0),
        ];
        // then the lowest third lost half its output, the middle kept it, the highest gained half
        let [low, mid, high] = uplift_by_fit_third(&agents, 2);
        assert!((low + 0.5).abs() < 1e-12 && mid.abs() < 1e-12 && (high - 0.5).abs() < 1e-12);
        assert_eq!(uplift_by_fit_third(&[], 2), [0.0; 3]);
    }

    #[test]
    fn gini_of_equal_and_concentrated() {
        assert!(gini(&mut [1.0, 1.0, 1.0, 1.0]).abs() < 1e-12);
        let g = gini(&mut [0.0, 0.0, 0.0, 1.0]);
        assert!((g - 0.75).abs() < 1e-12, "{g}");
    }

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median_in_place(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median_in_place(&mut []), None);
        let v = [4.0, 1.0, -0.0, 2.0, 3.0, 0.0];
        for n in 0..=v.len() {
            let items: Vec<u32> = (0..n as u32).rev().collect();
            let mut gathered = vec![7.0]; // cleared first
            gather_by_key(&mut gathered, &items, |k| v[k as usize]);
            let reversed: Vec<f64> = v[..n].iter().rev().copied().collect();
            assert_eq!(gathered, reversed, "the items' order");
            let by_key = median_in_place(&mut gathered);
            let by_value = median_in_place(&mut v[..n].to_vec());
            assert_eq!(by_key.map(f64::to_bits), by_value.map(f64::to_bits), "{n}");
        }
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile_in_place(&mut v, 0.99), Some(99.0));
    }

    #[test]
    fn deciles_split_evenly_and_ratio_to_median() {
        let items: Vec<usize> = (0..100).collect();
        let order = rank_order(&items, &|i| (i + 1) as f64);
        let rows = deciles(&order, &|i| (i + 1) as f64, &|_| 1.0);
        assert_eq!(rows.len(), 10);
        assert!(rows.iter().all(|r| r.agents == 10));
        // top decile mean 95.5 over median 50.5
        assert!((rows[9].token_ratio - 95.5 / 50.5).abs() < 1e-12);
        assert_eq!(rows[9].output_ratio, 1.0);
    }
}
