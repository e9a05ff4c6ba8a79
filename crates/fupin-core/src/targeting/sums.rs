//! Sums whose value does not depend on the order of the rows.
//!
//! Floating-point addition is not associative: summing survey weights or people in row order gives
//! results that change in the last bits when the rows are shuffled, and a village at its exit
//! threshold or a quota at a remainder tie could then flip. These sums add in a canonical order
//! instead: by group, then by value — or in any order when every value is an integer and the total
//! stays below 2⁵², where every partial sum is exact.

/// Σ of the values by group: `pairs` of (group, value), `groups` groups.
pub(crate) fn group_sums(mut pairs: Vec<(usize, f64)>, groups: usize) -> Vec<f64> {
    let magnitude: f64 = pairs.iter().map(|p| p.1.abs()).sum();
    let exact = magnitude <= 4_503_599_627_370_496.0 && pairs.iter().all(|p| p.1.fract() == 0.0);
    if !exact {
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    let mut out = vec![0.0; groups];
    for (g, v) in pairs {
        out[g] += v;
    }
    out
}

/// Σ `values`, in an order that does not depend on theirs.
pub(crate) fn order_free_sum(values: Vec<f64>) -> f64 {
    group_sums(values.into_iter().map(|v| (0, v)).collect(), 1)[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffled_values_sum_to_the_same_bits() {
        // (0.1 + 0.2) + 0.3 = 0.6000000000000001 but (0.3 + 0.2) + 0.1 = 0.6.
        assert_ne!((0.1 + 0.2) + 0.3, (0.3 + 0.2) + 0.1);
        let a = order_free_sum(vec![0.1, 0.2, 0.3]);
        assert_eq!(a.to_bits(), order_free_sum(vec![0.3, 0.2, 0.1]).to_bits());
        assert_eq!(a.to_bits(), order_free_sum(vec![0.2, 0.3, 0.1]).to_bits());
        // Integers small enough are summed as they come (exactly).
        assert_eq!(order_free_sum(vec![3.0, 1.0, 2.0]), 6.0);
        let g = group_sums(vec![(1, 0.3), (0, 1.0), (1, 0.1), (1, 0.2)], 3);
        let h = group_sums(vec![(1, 0.1), (1, 0.2), (0, 1.0), (1, 0.3)], 3);
        assert_eq!(g, h);
        assert_eq!((g[0], g[2]), (1.0, 0.0));
    }
}
