//! Ranks in a sorted distribution: the share of values at or below `x`, and quantiles.
//!
//! Agents look up their rank in last week's org-wide distribution of totals several times a
//! week, so the lookup is on the hot path of a large run. [`RankIndex`] is a tabulated CDF: it
//! buckets the positive values by their IEEE-754 bit pattern (monotone in the value for
//! non-negative numbers, and roughly logarithmic, which suits token totals spread over several
//! orders of magnitude) and records where each bucket starts in the sorted slice. A lookup reads
//! its bucket's bounds and interpolates between them in bit-pattern space, without touching the
//! sorted values (at a million agents they do not fit in cache, the table does). A bucket holding
//! more than `1/RANK_RESOLUTION` of the values (an atom, such as every agent padded to the same
//! target, or a dense stretch) is searched exactly instead, so a lookup is never further than
//! `1/RANK_RESOLUTION` from the exact share, and is exact for small distributions
//! (docs/model.md, "Ranks").

/// Share of `sorted` that is `<= x`.
pub fn cdf(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.partition_point(|v| *v <= x) as f64 / sorted.len() as f64
}

/// Nearest-rank quantile `p` of `sorted`.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sort `v` ascending in the order of `f64::total_cmp`, in parallel from 2 x [`SPLIT_MIN`] values
/// on more than one thread (in one thread below, where a split does not pay). Values
/// equal under that order are identical bit for bit, so the result does not depend on the
/// algorithm or the thread count. Large slices are sorted as integer keys (the bit-pattern map
/// that `total_cmp` itself is defined by), which compares faster than floats, by [`split_sort`].
/// (An LSD radix sort on the bit patterns was tried here and was slower than rayon's parallel
/// sort at a million values: 28.8 s against 22.3 s for a 1M x 52 run on 2 threads; rayon's
/// parallel sort in turn took 20 ms for a million keys on one thread where the standard
/// library's sort takes 13 ms, and 11-12 ms on two where [`split_sort`] takes 8.)
pub fn sort_floats(v: &mut [f64]) {
    use rayon::prelude::*;
    if v.len() < 4096 {
        v.sort_unstable_by(f64::total_cmp);
        return;
    }
    // The keys take the values' place (same size), so a million-value sort needs no second
    // buffer of 8 MB at the week's peak.
    let keys: &mut [u64] = bytemuck::cast_slice_mut(v);
    keys.par_iter_mut()
        .for_each(|k| *k = total_key(f64::from_bits(*k)));
    // Up to two parts a thread (parts of at least SPLIT_MIN keys), so a thread that finishes
    // early takes over a part.
    let threads = rayon::current_num_threads();
    let depth = if threads > 1 {
        usize::BITS - (threads - 1).leading_zeros() + 1
    } else {
        0
    };
    split_sort(keys, depth, SPLIT_MIN);
    keys.par_iter_mut()
        .for_each(|k| *k = from_total_key(*k).to_bits());
}

/// Slices shorter than this are not split further by [`split_sort`].
const SPLIT_MIN: usize = 1 << 16;

/// Sort `v`: split it around a pivot (the median of 63 evenly spaced keys) into the keys below
/// and the others, and sort the two parts side by side, `depth` times over, then each part with
/// the standard library's sort. The pivot's keys go with the upper part, so a pivot that is the
/// part's least key (an atom of equal keys) splits its atom off instead.
fn split_sort(v: &mut [u64], depth: u32, min_len: usize) {
    if depth == 0 || v.len() < min_len.max(126) {
        v.sort_unstable();
        return;
    }
    // (the index in 64 bits: `(2s + 1) * len` passes 2^32 at 34 million keys)
    let at = |s: usize| ((2 * s as u64 + 1) * v.len() as u64 / 126) as usize;
    let mut sample: [u64; 63] = std::array::from_fn(|s| v[at(s)]);
    sample.sort_unstable();
    let mut mid = partition(v, sample[31]);
    if mid == 0 {
        // Nothing is below the pivot: the pivot is the least key; split its equals off.
        // (the greatest key, u64::MAX, has no successor: below it then means none)
        mid = partition(v, sample[31].saturating_add(1));
        if mid == 0 || mid == v.len() {
            return; // every key is the same
        }
    }
    let (below, rest) = v.split_at_mut(mid);
    rayon::join(
        || split_sort(below, depth - 1, min_len),
        || split_sort(rest, depth - 1, min_len),
    );
}

/// Reorder `v` so that the keys below `pivot` come first, and return how many there are: one
/// branch-free pass (a key is swapped into place whichever side it belongs to), where a branch
/// on each comparison of unordered keys is mispredicted half the time.
fn partition(v: &mut [u64], pivot: u64) -> usize {
    let mut below = 0;
    for i in 0..v.len() {
        v.swap(i, below);
        below += usize::from(v[below] < pivot);
    }
    below
}

/// A key whose unsigned order is `f64::total_cmp`'s order (negative values have every bit
/// flipped, the others only the sign bit); a bijection, undone by [`from_total_key`].
fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Sorted values per bucket, on average, that the index aims at.
const PER_BUCKET: usize = 16;

/// A lookup's share is within `1 / RANK_RESOLUTION` of the exact one: a bucket is interpolated
/// only when it holds at most `n / RANK_RESOLUTION` of the `n` values, and searched otherwise.
pub const RANK_RESOLUTION: usize = 4096;

/// A tabulated CDF of a sorted slice, for [`cdf`] lookups within `1 / RANK_RESOLUTION` (see the
/// module documentation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankIndex {
    /// Length of the slice indexed (0: no index, lookups fall back to a binary search).
    len: usize,
    /// Index of the first positive value.
    first_positive: usize,
    /// Bit pattern of the smallest positive value, and of the largest value.
    low: u64,
    high: u64,
    /// Bucket of a positive `x`: `(bits(x) - low) >> shift`.
    shift: u32,
    /// `start[b]`: index of the first value of bucket `b` or above; one entry past the last.
    start: Vec<u32>,
    /// A bucket with at most this many values is interpolated, a larger one searched.
    interpolate_up_to: u32,
}

impl RankIndex {
    /// No index: [`RankIndex::cdf`] searches the whole slice.
    pub const NONE: RankIndex = RankIndex {
        len: 0,
        first_positive: 0,
        low: 0,
        high: 0,
        shift: 0,
        start: Vec::new(),
        interpolate_up_to: 0,
    };

    /// Index `sorted` (ascending by `f64::total_cmp`, no NaN).
    pub fn new(sorted: &[f64]) -> RankIndex {
        let n = sorted.len();
        let first_positive = sorted.partition_point(|v| *v <= 0.0);
        if n == 0 || first_positive == n || n > u32::MAX as usize {
            return RankIndex::NONE;
        }
        let (low, high) = (sorted[first_positive].to_bits(), sorted[n - 1].to_bits());
        let buckets = ((n - first_positive) / PER_BUCKET)
            .next_power_of_two()
            .max(1) as u64;
        let mut shift = 0;
        while (high - low) >> shift >= buckets {
            shift += 1;
        }
        let count = (((high - low) >> shift) + 1) as usize;
        let mut start = Vec::with_capacity(count + 1);
        for (i, v) in sorted.iter().enumerate().skip(first_positive) {
            let b = ((v.to_bits() - low) >> shift) as usize;
            while start.len() <= b {
                start.push(i as u32);
            }
        }
        start.push(n as u32);
        RankIndex {
            len: n,
            first_positive,
            low,
            high,
            shift,
            start,
            interpolate_up_to: (n / RANK_RESOLUTION) as u32,
        }
    }

    /// [`cdf`]`(sorted, x)` within `1 / RANK_RESOLUTION`, where `sorted` is the slice this index
    /// was built from: exact at and below zero, beyond the largest value, and in every bucket
    /// too full to interpolate; linear in the bit pattern inside the others. Non-decreasing in
    /// `x`.
    pub fn cdf(&self, sorted: &[f64], x: f64) -> f64 {
        debug_assert!(
            self.len == 0 || self.len == sorted.len(),
            "an index of another slice"
        );
        if self.len != sorted.len() || self.len == 0 || x.is_nan() {
            return cdf(sorted, x);
        }
        let n = sorted.len();
        let count = if x == 0.0 {
            // Every value at or below zero (a common probe: the total of a non-user).
            self.first_positive
        } else if x < 0.0 {
            sorted[..self.first_positive].partition_point(|v| *v <= x)
        } else if x.to_bits() < self.low {
            // 0 < x < the smallest positive value: every value up to there and none after.
            self.first_positive
        } else if x.to_bits() >= self.high {
            n
        } else {
            let offset = x.to_bits() - self.low;
            let b = (offset >> self.shift) as usize;
            let (lo, hi) = (self.start[b], self.start[b + 1]);
            if hi - lo <= self.interpolate_up_to {
                // Interpolated: the share of the bucket's bit-pattern width below x (a power of
                // two, so multiplying by its inverse is dividing by it, exactly).
                let inverse_width = f64::from_bits((1023 - u64::from(self.shift)) << 52);
                let within = (offset - ((b as u64) << self.shift)) as f64 * inverse_width;
                return (f64::from(lo) + f64::from(hi - lo) * within) / n as f64;
            }
            let (lo, hi) = (lo as usize, hi as usize);
            lo + sorted[lo..hi].partition_point(|v| *v <= x)
        };
        count as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A uniform draw in [0, 1) from a xorshift state (test data without an RNG crate).
    fn uniform(x: &mut u64) -> f64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        (*x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn check(sorted: &[f64], probes: &[f64]) {
        let index = RankIndex::new(sorted);
        for &x in probes {
            assert_eq!(index.cdf(sorted, x), cdf(sorted, x), "x = {x}");
        }
    }

    #[test]
    fn the_index_gives_exactly_the_plain_cdf() {
        // duplicates, zeros and a long right tail, probed at, between and beyond the values
        let mut v: Vec<f64> = (0..1000).map(|i| (i / 3) as f64).collect();
        v.extend((0..200).map(|i| 1e3 * 1.07f64.powi(i)));
        v.extend([0.0; 50]);
        v.sort_by(f64::total_cmp);
        let mut probes: Vec<f64> = v.clone();
        probes.extend(v.iter().map(|x| x * 1.0000001 + 1e-9));
        probes.extend(v.iter().map(|x| x * 0.9999999));
        probes.extend([
            -1.0,
            -0.0,
            0.0,
            1e-300,
            0.5,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
        ]);
        check(&v, &probes);
    }

    #[test]
    fn a_large_index_is_within_its_resolution_monotone_and_exact_at_atoms() {
        // given a million-scale spread of totals with atoms (a fifth of the values at one
        // target, zeros), when probed at, between and around the values, then every share is
        // within 1/RANK_RESOLUTION of the exact one, never falls as x rises, and just above or
        // below an atom the whole atom is counted or not
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut v: Vec<f64> = (0..200_000)
            .map(|i| {
                let u = uniform(&mut x);
                match i % 10 {
                    0 => 0.0,
                    1 | 2 => 5e5,
                    _ => 1e4 * (u * 9.0).exp(),
                }
            })
            .collect();
        v.sort_by(f64::total_cmp);
        let index = RankIndex::new(&v);
        let tolerance = 1.0 / RANK_RESOLUTION as f64;
        let mut probes: Vec<f64> = v
            .iter()
            .step_by(7)
            .flat_map(|x| [*x, x * 1.000_001])
            .collect();
        probes.extend([5e5 * (1.0 - 1e-12), 5e5, 5e5 * (1.0 + 1e-12), 1.0, 1e9, 0.0]);
        probes.sort_by(f64::total_cmp);
        let (mut last, mut interpolated) = (0.0, 0);
        for &p in &probes {
            let (got, exact) = (index.cdf(&v, p), cdf(&v, p));
            assert!(
                (got - exact).abs() <= tolerance,
                "x = {p}: {got} vs {exact}"
            );
            assert!(got >= last, "x = {p}: {got} after {last}");
            interpolated += usize::from(got != exact);
            last = got;
        }
        // (the table is in use: most probes between values are not exactly the plain share)
        assert!(
            interpolated > probes.len() / 4,
            "{interpolated} of {}",
            probes.len()
        );
        for p in [5e5 * (1.0 - 1e-12), 5e5, 5e5 * (1.0 + 1e-12)] {
            assert_eq!(index.cdf(&v, p), cdf(&v, p), "x = {p}");
        }
    }

    #[test]
    fn degenerate_slices() {
        check(&[], &[0.0, 1.0]);
        check(&[0.0, 0.0, 0.0], &[-1.0, 0.0, 1.0]);
        check(&[5.0], &[4.0, 5.0, 6.0]);
        check(
            &[-3.0, -1.0, 2.0, 2.0, 9.0],
            &[-4.0, -3.0, -2.0, 0.0, 2.0, 3.0, 9.0, 10.0],
        );
        let index = RankIndex::NONE;
        assert_eq!(index.cdf(&[1.0, 2.0], 1.5), 0.5);
    }

    #[test]
    fn the_parallel_sort_gives_the_same_slice_as_a_sequential_one() {
        // negative and positive values, both zeros, duplicates, infinities, a spread of
        // magnitudes, and enough values to take the parallel path
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut v: Vec<f64> = (0..20_000)
            .map(|i| {
                let u = uniform(&mut x);
                match i % 7 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => (u * 30.0).exp(),
                    3 => -(u * 5.0).exp(),
                    4 => (i / 10) as f64,
                    5 if i % 700 == 5 => f64::INFINITY,
                    _ => u,
                }
            })
            .collect();
        v.push(f64::NEG_INFINITY);
        let mut expected = v.clone();
        expected.sort_by(f64::total_cmp);
        sort_floats(&mut v);
        let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&v), bits(&expected));
    }

    #[test]
    fn the_split_sort_sorts_atoms_and_spreads_at_any_depth() {
        // given keys with a large atom at the least key, one in the middle and a spread, when
        // split down to small parts, then the result is the sequential sort's
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let keys: Vec<u64> = (0..50_000)
            .map(|i| match i % 5 {
                0 | 1 => 7,
                2 => 1 << 40,
                _ => (uniform(&mut x) * 1e12) as u64,
            })
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        for depth in [0, 1, 3, 12] {
            let mut v = keys.clone();
            split_sort(&mut v, depth, 200);
            assert_eq!(v, expected, "depth {depth}");
        }
        // and with the greatest key (a NaN's), alone and among others
        let mut with_max = keys.clone();
        with_max.iter_mut().step_by(3).for_each(|k| *k = u64::MAX);
        let mut expected = with_max.clone();
        expected.sort_unstable();
        split_sort(&mut with_max, 12, 200);
        assert_eq!(with_max, expected);
        let mut v = keys.clone();
        let below = partition(&mut v, 1 << 40);
        assert!(v[..below].iter().all(|k| *k < 1 << 40));
        assert!(v[below..].iter().all(|k| *k >= 1 << 40));
    }

    #[test]
    fn quantiles_and_cdf() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.0);
        assert_eq!(quantile(&v, 0.99), 4.0);
        assert_eq!(cdf(&v, 2.5), 0.5);
        assert_eq!(cdf(&v, 0.0), 0.0);
    }
}
