//! `ln(1 + x)` and `exp(x)` over eight lanes at once, for the choice among a reviser's candidate
//! totals and a team's logs of use (docs/architecture.md, "The weekly step's cost"). The
//! platform's `ln_1p` and `exp` are one value at a time and branch on their argument; these are
//! branch-free, so the compiler evaluates `ln_1p`'s lanes side by side in SIMD registers, and
//! unrolls `exp`'s (it does not vectorise them: one lane after the other in scalar registers),
//! so that their chains of dependent arithmetic overlap instead of queueing one behind the
//! other.
//!
//! Both are fdlibm's algorithms (the reduction and the minimax polynomials of `log` and `exp`,
//! as in musl), written on the bits, with plain IEEE additions, multiplications and divisions
//! only (Rust never fuses them into multiply-adds), so a lane gives the same bits at any vector
//! width and on any processor that rounds as IEEE 754 says. Accuracy against the platform's
//! functions (glibc), over 200,000 draws in the tests: both within 1 unit in the last place
//! ([`ln_1p`] for `x >= 0` from 1e-12 to 1e12, [`exp`] for `-708 <= x <= 709`), mostly equal; the
//! tests allow [`ln_1p`] 2. Below -708 [`exp`] gives 0 (the true value is under 1e-307).
//!
//! Each lane also has a one-value form ([`ln_1p1`], [`exp1`]) with exactly the lane's bits, for
//! the same quantity taken outside a choice (a week's padding time).

/// Lanes a call evaluates.
pub const LANES: usize = 8;

// fdlibm's constants, by their published bit patterns.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E; // 0x3ff7_1547_652b_82fe
const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
/// `1.5 * 2^52`: added to a value below 2^51 in magnitude, it rounds it to an integer that
/// then sits in the low bits.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// The bits of `sqrt(2)/2`: mantissas are reduced into `[sqrt(2)/2, sqrt(2))`.
const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;

/// `ln(1 + x)` of each lane (for `x > -1`, finite; for `x >= 0` within 1 ulp of glibc's over
/// the tests' draws, exactly 0 at 0).
#[inline]
pub fn ln_1p(x: [f64; LANES]) -> [f64; LANES] {
    widest(x, ln_1p1)
}

/// `exp(x)` of each lane (within 1 ulp of glibc's for `-708 <= x <= 709` over the tests' draws;
/// 0 below -708, and for -inf).
#[inline]
pub fn exp(x: [f64; LANES]) -> [f64; LANES] {
    widest(x, exp1)
}

/// [`each`] in 512-bit registers where the processor has them, in portable code elsewhere.
#[inline(always)]
fn widest(x: [f64; LANES], f: impl Fn(f64) -> f64) -> [f64; LANES] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the processor has the feature, just detected.
        return unsafe { wide::each(x, f) };
    }
    each(x, f)
}

/// `f` of each lane, in a loop that inlines (with `f`) into the 512-bit form below, where
/// `array::map` would not.
#[inline(always)]
fn each(x: [f64; LANES], f: impl Fn(f64) -> f64) -> [f64; LANES] {
    let mut out = [0.0; LANES];
    for (o, &v) in out.iter_mut().zip(&x) {
        *o = f(v);
    }
    out
}

/// [`each`] compiled for 512-bit registers: the same IEEE operations as the portable form, so
/// the same bits.
#[cfg(target_arch = "x86_64")]
mod wide {
    use super::LANES;

    #[target_feature(enable = "avx512f")]
    pub fn each(x: [f64; LANES], f: impl Fn(f64) -> f64) -> [f64; LANES] {
        super::each(x, f)
    }
}

/// One lane of [`ln_1p`]: `ln(u) + c/u` with `u = 1 + x` rounded and `c` its rounding error
/// (exact), `ln(u) = k ln 2 + ln(m)` with `m` in `[sqrt(2)/2, sqrt(2))`, and `ln(m)` from
/// `s = (m - 1)/(m + 1)` by fdlibm's polynomial.
#[inline(always)]
pub fn ln_1p1(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let ix = u.to_bits().wrapping_add(ONE_BITS - SQRT_HALF_BITS);
    // k as a float without an integer conversion: 2^52 + e, less 2^52 + 1023.
    let dk =
        f64::from_bits((ix >> 52) | 0x4330_0000_0000_0000) - (4_503_599_627_370_496.0 + 1023.0);
    let m = f64::from_bits((ix & 0x000f_ffff_ffff_ffff) + SQRT_HALF_BITS);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let hfsq = 0.5 * f * f;
    s * (hfsq + (t2 + t1)) + dk * LN2_LO - hfsq + f + dk * LN2_HI + c
}

/// One lane of [`exp`]: `2^k exp(r)` with `k` the nearest integer to `x / ln 2` and `r` the
/// remainder, `exp(r)` by fdlibm's rational approximation.
#[inline(always)]
pub fn exp1(x: f64) -> f64 {
    let xc = x.clamp(-708.0, 709.0);
    let t = xc * INV_LN2 + SHIFT;
    let kf = t - SHIFT;
    let hi = xc - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k from k's bits in `t` (the shift's own bits leave with the move to the exponent).
    let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    if x < -708.0 { 0.0 } else { y * scale }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    /// Distance in units in the last place between two finite values of one sign.
    fn ulps(a: f64, b: f64) -> u64 {
        if a == b {
            return 0;
        }
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn sample(rng: &mut Xoshiro256PlusPlus, lo_exp: f64, hi_exp: f64) -> f64 {
        10f64.powf(rng.random_range(lo_exp..hi_exp))
    }

    #[test]
    fn ln_1p_is_within_two_ulps_of_the_platform_s() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let mut worst = 0;
        for _ in 0..200_000 {
            let x = sample(&mut rng, -12.0, 12.0);
            worst = worst.max(ulps(ln_1p1(x), x.ln_1p()));
        }
        for x in [
            1e-300,
            f64::EPSILON,
            0.5,
            1.0,
            2f64.sqrt() - 1.0,
            1e15,
            1e300,
        ] {
            worst = worst.max(ulps(ln_1p1(x), x.ln_1p()));
        }
        assert!(worst <= 2, "worst {worst} ulps");
        assert_eq!(ln_1p1(0.0).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_platform_s_and_zero_far_below() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        let mut worst = 0;
        for _ in 0..200_000 {
            let x: f64 = rng.random_range(-708.0..709.0);
            worst = worst.max(ulps(exp1(x), x.exp()));
            let small: f64 = rng.random_range(-3.0..3.0);
            worst = worst.max(ulps(exp1(small), small.exp()));
        }
        for x in [0.0, -0.0, 1.0, -1.0, 1e-300, -1e-10, -708.0, 709.0] {
            worst = worst.max(ulps(exp1(x), x.exp()));
        }
        assert!(worst <= 1, "worst {worst} ulps");
        assert_eq!(exp1(0.0), 1.0);
        assert_eq!(exp1(-709.0), 0.0);
        assert_eq!(exp1(f64::NEG_INFINITY), 0.0);
    }

    #[test]
    fn the_processor_s_widest_lanes_give_the_portable_form_s_bits() {
        // (on a processor with AVX-512 the dispatched forms run in 512-bit registers; the
        // portable ones are what every other machine runs)
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        for _ in 0..20_000 {
            let x: [f64; LANES] = std::array::from_fn(|_| sample(&mut rng, -9.0, 9.0));
            let y: [f64; LANES] = std::array::from_fn(|_| rng.random_range(-720.0..710.0));
            let bits = |v: [f64; LANES]| v.map(f64::to_bits);
            assert_eq!(bits(ln_1p(x)), bits(each(x, ln_1p1)));
            assert_eq!(bits(exp(y)), bits(each(y, exp1)));
        }
    }

    #[test]
    fn a_lane_gives_the_one_value_form_s_bits() {
        let x = [0.0, 1e-9, 0.3, 1.0, 7.5, 1e6, 123.25, 2.0];
        let neg = x.map(|v| -v);
        for ((a, b), v) in ln_1p(x).iter().zip(exp(neg)).zip(x) {
            assert_eq!(a.to_bits(), ln_1p1(v).to_bits());
            assert_eq!(b.to_bits(), exp1(-v).to_bits());
        }
    }
}
