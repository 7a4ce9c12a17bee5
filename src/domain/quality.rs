//! The metadata quality score of a dataset, exactly as uData v14.13 computes it
//! (`Dataset.compute_quality` + `quality` + `compute_quality_score`, udata-behaviours §3.6).
//! Resource criteria come from the store's counters, so no resource is read to score a dataset.

use serde_json::{Map, Value};

use super::dataset::Dataset;
use super::frequency;
use super::time::Micros;

/// uData's `QUALITY_DESCRIPTION_LENGTH`: a description must be longer than this.
pub const DESCRIPTION_LENGTH: usize = 100;
/// The number of criteria; the score is points / this.
pub const MAX_SCORE: f64 = 9.0;
const DAY: Micros = 86_400_000_000;

/// The criteria and score served as the dataset's `quality`, at time `now`.
pub fn quality(dataset: &Dataset, now: Micros) -> Map<String, Value> {
    let mut q = Map::new();
    let mut points = 0u32;
    let mut criterion = |q: &mut Map<String, Value>, name: &str, met: bool| {
        q.insert(name.into(), met.into());
        if met {
            points += 1;
        }
    };
    criterion(&mut q, "license", dataset.license.is_some());
    criterion(
        &mut q,
        "temporal_coverage",
        dataset.temporal_coverage.is_some(),
    );
    criterion(&mut q, "spatial", dataset.spatial.is_some());
    criterion(&mut q, "update_frequency", dataset.has_frequency());
    if let Some(fulfilled) = update_fulfilled_in_time(dataset, now) {
        criterion(&mut q, "update_fulfilled_in_time", fulfilled);
    }
    criterion(
        &mut q,
        "dataset_description_quality",
        dataset.description.chars().count() > DESCRIPTION_LENGTH,
    );
    let counters = &dataset.counters;
    if counters.resources > 0 {
        q.insert("has_resources".into(), true.into());
        criterion(
            &mut q,
            "has_open_format",
            counters.open_format_resources > 0,
        );
        criterion(
            &mut q,
            "all_resources_available",
            counters.unavailable_resources == 0,
        );
        criterion(
            &mut q,
            "resources_documentation",
            counters.documented_resources > 0,
        );
    }
    q.insert("score".into(), (f64::from(points) / MAX_SCORE).into());
    q
}

/// The last instant at which `update_fulfilled_in_time` holds, after which it is false until
/// the dataset changes; `None` when the score does not depend on the time.
pub fn update_deadline(dataset: &Dataset) -> Option<Micros> {
    if !dataset.has_frequency() {
        return None;
    }
    let seconds = frequency::period(&dataset.frequency)?;
    // `(next_update - now).div_euclid(DAY) >= -1` exactly while `now <= next_update + DAY`.
    Some(
        dataset
            .counters
            .last_update
            .saturating_add(seconds.saturating_mul(1_000_000))
            .saturating_add(DAY),
    )
}

/// Whether the next expected update (last update + the frequency's period) is at most one day
/// late; true for frequencies without a period; absent without a frequency.
pub fn update_fulfilled_in_time(dataset: &Dataset, now: Micros) -> Option<bool> {
    if !dataset.has_frequency() {
        return None;
    }
    match frequency::period(&dataset.frequency) {
        // Python's `timedelta.days >= -1`: at most one whole day late.
        Some(seconds) => {
            let next_update = dataset.counters.last_update + seconds * 1_000_000;
            Some((next_update - now).div_euclid(DAY) >= -1)
        }
        None => Some(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dataset::{DatasetInput, SpatialCoverage, TemporalCoverage};
    use serde_json::json;

    fn dataset() -> Dataset {
        DatasetInput::parse(&json!({"title": "t", "description": "short"}), true)
            .expect("valid")
            .create("id".into(), 0)
    }

    fn score(d: &Dataset, now: Micros) -> f64 {
        quality(d, now)["score"].as_f64().expect("a number")
    }

    #[test]
    fn empty_dataset_scores_zero_with_only_dataset_criteria() {
        let d = dataset();
        let q = quality(&d, 0);
        assert_eq!(score(&d, 0), 0.0);
        assert!(!q.contains_key("update_fulfilled_in_time"));
        assert!(!q.contains_key("has_resources"));
        assert!(!q.contains_key("has_open_format"));
        assert_eq!(q["license"], false);
    }

    #[test]
    fn each_dataset_criterion_is_one_ninth() {
        let mut d = dataset();
        d.license = Some("lov2".into());
        assert!((score(&d, 0) - 1.0 / 9.0).abs() < 1e-9);
        d.temporal_coverage = Some(TemporalCoverage {
            start: 0,
            end: None,
        });
        assert!((score(&d, 0) - 2.0 / 9.0).abs() < 1e-9);
        d.spatial = Some(SpatialCoverage::default());
        assert!((score(&d, 0) - 3.0 / 9.0).abs() < 1e-9);
        d.description = "x".repeat(101);
        assert!((score(&d, 0) - 4.0 / 9.0).abs() < 1e-9);
        d.description = "x".repeat(100);
        assert!((score(&d, 0) - 3.0 / 9.0).abs() < 1e-9);
    }

    #[test]
    fn frequency_and_timeliness() {
        let mut d = dataset();
        d.frequency = "irregular".into();
        let q = quality(&d, 0);
        assert_eq!(q["update_frequency"], true);
        assert_eq!(q["update_fulfilled_in_time"], true);
        assert!((score(&d, 0) - 2.0 / 9.0).abs() < 1e-9);
        d.frequency = "daily".into();
        d.counters.last_update = 0;
        // Due after one day; one more day of grace.
        assert_eq!(update_fulfilled_in_time(&d, 2 * DAY), Some(true));
        assert_eq!(update_fulfilled_in_time(&d, 2 * DAY + 1), Some(false));
        assert_eq!(quality(&d, 3 * DAY)["update_fulfilled_in_time"], false);
    }

    #[test]
    fn the_deadline_is_the_last_instant_in_time() {
        let mut d = dataset();
        assert_eq!(update_deadline(&d), None);
        d.frequency = "irregular".into();
        assert_eq!(update_deadline(&d), None);
        for frequency in ["daily", "weekly", "monthly", "annual"] {
            d.frequency = frequency.into();
            for last_update in [-5 * DAY - 7, 0, 1_700_000_000_123_456] {
                d.counters.last_update = last_update;
                let deadline = update_deadline(&d).expect("a periodic frequency");
                for now in [deadline - DAY - 1, deadline - 1, deadline] {
                    assert_eq!(update_fulfilled_in_time(&d, now), Some(true));
                }
                for now in [deadline + 1, deadline + DAY, deadline + 40 * DAY] {
                    assert_eq!(update_fulfilled_in_time(&d, now), Some(false));
                }
            }
        }
    }

    #[test]
    fn resource_criteria_only_with_resources() {
        let mut d = dataset();
        d.counters.resources = 2;
        let q = quality(&d, 0);
        assert_eq!(q["has_resources"], true);
        assert_eq!(q["has_open_format"], false);
        assert_eq!(q["all_resources_available"], true);
        assert_eq!(q["resources_documentation"], false);
        assert!((score(&d, 0) - 1.0 / 9.0).abs() < 1e-9);
        d.counters.open_format_resources = 1;
        d.counters.documented_resources = 1;
        assert!((score(&d, 0) - 3.0 / 9.0).abs() < 1e-9);
        d.counters.unavailable_resources = 1;
        assert!((score(&d, 0) - 2.0 / 9.0).abs() < 1e-9);
    }
}
