//! The generator's randomness: SplitMix64, seeded per generated object so that an object's
//! content depends only on the seed and its number, and the distributions drawn from it.

/// SplitMix64's finalizer: a 64-bit mix where every input bit affects every output bit.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A SplitMix64 pseudo-random generator: fast, 64 bits of state, good enough for synthetic data
/// (never for secrets).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of object `index` of a `stream` (users, organizations, datasets…).
    pub fn for_object(seed: u64, stream: u64, index: u64) -> Self {
        Rng(mix(mix(mix(seed) ^ stream) ^ index))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    /// Uniform in `0..n` (`0` when `n` is 0); the bias of the multiply-shift is below 2⁻³².
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `low..high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below(high.saturating_sub(low).max(0) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One of `items`, each as likely as its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut target = self.below(total);
        for (item, weight) in items {
            if target < u64::from(*weight) {
                return item;
            }
            target -= u64::from(*weight);
        }
        &items[items.len() - 1].0
    }

    /// Failures before the first success of trials that succeed with probability `p`: mostly
    /// small, with a tail.
    pub fn geometric(&mut self, p: f64) -> u64 {
        let u = 1.0 - self.unit();
        (u.ln() / (1.0 - p).ln()).floor() as u64
    }

    /// A long-tailed count (Lomax, or Pareto shifted to start at 0): `scale` sets its size,
    /// a smaller `alpha` a heavier tail; capped at `max`.
    pub fn long_tail(&mut self, scale: f64, alpha: f64, max: i64) -> i64 {
        let u = 1.0 - self.unit();
        let value = scale * (u.powf(-1.0 / alpha) - 1.0);
        if value >= max as f64 {
            max
        } else {
            value as i64
        }
    }
}

/// Ranks `0..n` drawn with probability proportional to `1 / (rank + 1)^exponent`: rank 0 is the
/// most frequent, and frequency falls as a power of the rank, as word frequencies do.
#[derive(Debug, Clone)]
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n.max(1))
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(exponent);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative[self.cumulative.len() - 1];
        let target = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= target)
            .min(self.cumulative.len() - 1)
    }

    /// An item of `items` (whose length must be the one the table was made for).
    pub fn pick<'a, T>(&self, rng: &mut Rng, items: &'a [T]) -> &'a T {
        &items[self.sample(rng)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_object_give_the_same_numbers() {
        let draw = |seed, index| {
            let mut rng = Rng::for_object(seed, 2, index);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(1, 7), draw(1, 7));
        assert_ne!(draw(1, 7), draw(1, 8));
        assert_ne!(draw(1, 7), draw(2, 7));
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut rng = Rng::for_object(1, 0, 0);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            assert!((-3..5).contains(&rng.between(-3, 5)));
            assert!((0.0..1.0).contains(&rng.unit()));
            assert!((0..=1000).contains(&rng.long_tail(10.0, 1.1, 1000)));
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(*rng.weighted(&[("never", 0), ("always", 3)]), "always");
    }

    #[test]
    fn zipf_frequency_falls_with_rank() {
        let zipf = Zipf::new(100, 1.0);
        let mut rng = Rng::for_object(1, 0, 0);
        let mut counts = [0u32; 100];
        for _ in 0..200_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[4] && counts[4] > counts[49]);
        // With exponent 1, rank 0 is ten times as frequent as rank 9 (within sampling noise).
        let ratio = f64::from(counts[0]) / f64::from(counts[9]);
        assert!((8.5..11.5).contains(&ratio), "{ratio}");
        assert!(counts[99] > 0);
    }

    #[test]
    fn geometric_mean_matches_its_parameter() {
        let mut rng = Rng::for_object(3, 0, 0);
        let mean = (0..100_000).map(|_| rng.geometric(0.25)).sum::<u64>() as f64 / 100_000.0;
        assert!((2.8..3.2).contains(&mean), "{mean}");
    }
}
