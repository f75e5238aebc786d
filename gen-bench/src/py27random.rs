//! Python 2.7's `random` module, exactly as far as gen-bench needs it.
//!
//! Rebuilt from CPython 2.7's `Modules/_randommodule.c` (MT19937, seeding via
//! `init_by_array`, the 53-bit `random()`) and `Lib/random.py` (`sample`,
//! `choice`), so that `Py27Random::new(0)` replays the draws of the original
//! script's `Random(0)`. `verify_draws.py` is the pure-Python reference the unit
//! tests' expected values come from.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER_MASK: u32 = 0x8000_0000;
const LOWER_MASK: u32 = 0x7fff_ffff;

/// The Mersenne Twister MT19937 (Matsumoto & Nishimura's reference algorithm).
#[derive(Clone)]
pub struct Mt19937 {
    mt: [u32; N],
    mti: usize,
}

impl Mt19937 {
    fn init_genrand(s: u32) -> Self {
        let mut mt = [0u32; N];
        mt[0] = s;
        for i in 1..N {
            mt[i] = 1_812_433_253u32
                .wrapping_mul(mt[i - 1] ^ (mt[i - 1] >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { mt, mti: N }
    }

    /// `init_by_array` from the reference code (CPython's seeding path).
    pub fn init_by_array(key: &[u32]) -> Self {
        assert!(!key.is_empty());
        let mut g = Self::init_genrand(19_650_218);
        let mt = &mut g.mt;
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941))
                .wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            k -= 1;
        }
        mt[0] = 0x8000_0000;
        g
    }

    pub fn genrand_int32(&mut self) -> u32 {
        if self.mti >= N {
            let mt = &mut self.mt;
            for kk in 0..N {
                let y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
                let mag = if y & 1 != 0 { MATRIX_A } else { 0 };
                mt[kk] = mt[(kk + M) % N] ^ (y >> 1) ^ mag;
            }
            self.mti = 0;
        }
        let mut y = self.mt[self.mti];
        self.mti += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }
}

/// The subset of Python 2.7's `random.Random` used by gen-bench.
#[derive(Clone)]
pub struct Py27Random {
    mt: Mt19937,
}

impl Py27Random {
    /// `random.Random(seed)` for an integer seed: the absolute value is split
    /// into 32-bit words, least significant first; 0 gives the key `[0]`.
    pub fn new(seed: i64) -> Self {
        let mut n = seed.unsigned_abs();
        let mut key = Vec::new();
        while n != 0 {
            key.push((n & 0xffff_ffff) as u32);
            n >>= 32;
        }
        if key.is_empty() {
            key.push(0);
        }
        Py27Random {
            mt: Mt19937::init_by_array(&key),
        }
    }

    pub fn genrand_int32(&mut self) -> u32 {
        self.mt.genrand_int32()
    }

    /// `random()`: a float in [0, 1) with 53 random bits.
    pub fn random(&mut self) -> f64 {
        let a = (self.mt.genrand_int32() >> 5) as f64;
        let b = (self.mt.genrand_int32() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `int(random() * n)`, the way 2.7 draws an index below `n`.
    fn below(&mut self, n: usize) -> usize {
        (self.random() * n as f64) as usize
    }

    /// `random.sample(population, k)` from Python 2.7.
    pub fn sample<T: Clone>(&mut self, population: &[T], k: usize) -> Vec<T> {
        let n = population.len();
        assert!(k <= n, "sample larger than population");
        let mut setsize = 21.0f64;
        if k > 5 {
            // 4 ** _ceil(_log(k * 3, 4)); math.log(x, b) is log(x) / log(b).
            let e = ((k * 3) as f64).ln() / 4.0f64.ln();
            setsize += 4.0f64.powf(e.ceil());
        }
        let mut result = Vec::with_capacity(k);
        if (n as f64) <= setsize {
            // Partial Fisher-Yates over a copy: non-selected items at [0, n-i).
            let mut pool: Vec<T> = population.to_vec();
            for i in 0..k {
                let j = self.below(n - i);
                result.push(pool[j].clone());
                pool[j] = pool[n - i - 1].clone();
            }
        } else {
            // Rejection sampling against the set of indexes already taken.
            let mut selected = std::collections::HashSet::with_capacity(k);
            for _ in 0..k {
                let mut j = self.below(n);
                while selected.contains(&j) {
                    j = self.below(n);
                }
                selected.insert(j);
                result.push(population[j].clone());
            }
        }
        result
    }

    /// `random.choice(seq)` from Python 2.7: `seq[int(random() * len(seq))]`.
    pub fn choice<T: Clone>(&mut self, seq: &[T]) -> T {
        assert!(!seq.is_empty(), "choice from an empty sequence");
        seq[self.below(seq.len())].clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    // Expected values printed by `python3 verify_draws.py`, whose pure MT and
    // random() are checked there against CPython's C implementation.

    #[test]
    fn mt_seed0_first_outputs() {
        let mut r = Py27Random::new(0);
        let got: Vec<u32> = (0..10).map(|_| r.genrand_int32()).collect();
        assert_eq!(
            got,
            [
                3626764237, 1654615998, 3255389356, 3823568514, 1806341205, 173879092, 1112038970,
                4146640122, 2195908194, 2087043557
            ]
        );
    }

    #[test]
    fn random_seed0() {
        let mut r = Py27Random::new(0);
        let got: Vec<f64> = (0..5).map(|_| r.random()).collect();
        assert_eq!(
            got,
            [
                0.8444218515250481,
                0.7579544029403025,
                0.420571580830845,
                0.25891675029296335,
                0.5112747213686085
            ]
        );
    }

    #[test]
    fn seed_is_absolute_value() {
        let mut a = Py27Random::new(12345);
        let mut b = Py27Random::new(-12345);
        for _ in 0..10 {
            assert_eq!(a.genrand_int32(), b.genrand_int32());
        }
    }

    #[test]
    fn canonical_tree_first_draws() {
        // lib_0/class_0 and lib_0/class_1 of `50 100 15 5` (set-based branch).
        let mut r = Py27Random::new(0);
        assert_eq!(
            r.sample(&range(100), 15),
            [84, 75, 42, 25, 51, 40, 78, 30, 47, 58, 90, 50, 28, 61, 98]
        );
        assert_eq!(
            r.sample(&range(100), 15),
            [81, 90, 31, 72, 89, 68, 47, 10, 43, 61, 91, 96, 86, 26, 80]
        );
        // lib_1/class_0: internal, external, then one choice per external.
        let mut r = Py27Random::new(0);
        for _ in 0..100 {
            r.sample(&range(100), 15);
        }
        assert_eq!(
            r.sample(&range(100), 15),
            [88, 68, 52, 72, 18, 92, 71, 59, 43, 63, 61, 89, 57, 21, 44]
        );
        assert_eq!(r.sample(&range(100), 5), [24, 90, 84, 55, 19]);
        let libs: Vec<usize> = (0..5).map(|_| r.choice(&range(1))).collect();
        assert_eq!(libs, [0, 0, 0, 0, 0]);
    }

    #[test]
    fn fisher_yates_branch_and_choice() {
        let mut r = Py27Random::new(0);
        assert_eq!(r.sample(&range(10), 3), [8, 6, 3]);
        assert_eq!(r.sample(&range(10), 3), [2, 4, 3]);
        assert_eq!(r.sample(&range(10), 3), [7, 2, 3]);
        assert_eq!(
            r.sample(&range(20), 20),
            [11, 17, 9, 4, 12, 18, 3, 19, 15, 8, 14, 2, 5, 6, 16, 10, 0, 1, 7, 13]
        );
        let c: Vec<usize> = (0..10).map(|_| r.choice(&range(7))).collect();
        assert_eq!(c, [6, 3, 6, 1, 5, 3, 0, 5, 2, 5]);
    }

    #[test]
    fn setsize_boundary() {
        // k = 6: setsize = 21 + 4**ceil(log(18, 4)) = 85.
        let mut r = Py27Random::new(0);
        assert_eq!(r.sample(&range(85), 6), [71, 63, 34, 21, 41, 32]); // Fisher-Yates
        assert_eq!(r.sample(&range(86), 6), [67, 26, 40, 50, 78, 43]); // rejection
    }
}
