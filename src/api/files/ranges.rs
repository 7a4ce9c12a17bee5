//! The `Range` request header (RFC 9110 §14.2): which byte ranges of an object to send.
//!
//! What we serve, as the RFC permits:
//! - a header we cannot read (another unit, a malformed range-spec) is ignored: the whole object;
//! - more than [`MAX_RANGES`] range-specs are ignored too, so one request cannot ask for a
//!   response made mostly of part headers or for thousands of seeks;
//! - range-specs wholly past the end are dropped; when none is left, 416;
//! - when ranges overlap or touch, all of them are sorted and merged, so no byte is sent twice
//!   and the parts never add up to more than the object; otherwise parts keep the order asked.

/// The most range-specs one `Range` header may hold before it is ignored.
pub const MAX_RANGES: usize = 16;

/// A satisfiable byte range `start..=end` of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

/// What a `Range` header asks of an object of a given size.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeRequest {
    /// No usable range: the whole object.
    Whole,
    /// One or more satisfiable ranges, in the order to send them.
    Parts(Vec<ByteRange>),
    Unsatisfiable,
}

/// Reads a `Range` header against an object of `size` bytes.
pub fn parse_range(value: &str, size: u64) -> RangeRequest {
    let Some(set) = value.trim().strip_prefix("bytes=") else {
        return RangeRequest::Whole;
    };
    let specs: Vec<&str> = set
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if specs.is_empty() || specs.len() > MAX_RANGES {
        return RangeRequest::Whole;
    }
    let mut ranges = Vec::with_capacity(specs.len());
    for spec in specs {
        match parse_spec(spec, size) {
            Spec::Invalid => return RangeRequest::Whole,
            Spec::PastEnd => {}
            Spec::Range(range) => ranges.push(range),
        }
    }
    if ranges.is_empty() {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Parts(coalesce(ranges))
}

enum Spec {
    Invalid,
    PastEnd,
    Range(ByteRange),
}

/// One range-spec: `first-last`, `first-` or `-suffix_length`.
fn parse_spec(spec: &str, size: u64) -> Spec {
    let Some((first, last)) = spec.split_once('-') else {
        return Spec::Invalid;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return match last.parse::<u64>() {
            Ok(0) => Spec::PastEnd,
            Ok(n) if size > 0 => Spec::Range(ByteRange {
                start: size.saturating_sub(n),
                end: size - 1,
            }),
            Ok(_) => Spec::PastEnd,
            Err(_) => Spec::Invalid,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return Spec::Invalid;
    };
    let end = if last.is_empty() {
        u64::MAX
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end,
            _ => return Spec::Invalid,
        }
    };
    if start >= size {
        return Spec::PastEnd;
    }
    Spec::Range(ByteRange {
        start,
        end: end.min(size - 1),
    })
}

/// The ranges as asked when they are disjoint; sorted and merged when any overlap or touch.
fn coalesce(ranges: Vec<ByteRange>) -> Vec<ByteRange> {
    let mut sorted = ranges.clone();
    sorted.sort_by_key(|r| r.start);
    if sorted
        .windows(2)
        .all(|pair| pair[1].start > pair[0].end.saturating_add(1))
    {
        return ranges;
    }
    let mut merged: Vec<ByteRange> = Vec::with_capacity(sorted.len());
    for range in sorted {
        match merged.last_mut() {
            Some(last) if range.start <= last.end.saturating_add(1) => {
                last.end = last.end.max(range.end);
            }
            _ => merged.push(range),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(ranges: &[(u64, u64)]) -> RangeRequest {
        RangeRequest::Parts(
            ranges
                .iter()
                .map(|&(start, end)| ByteRange { start, end })
                .collect(),
        )
    }

    #[test]
    fn single_ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), parts(&[(0, 9)]));
        assert_eq!(parse_range("bytes=90-", 100), parts(&[(90, 99)]));
        assert_eq!(parse_range("bytes=90-500", 100), parts(&[(90, 99)]));
        assert_eq!(parse_range("bytes=-10", 100), parts(&[(90, 99)]));
        assert_eq!(parse_range("bytes=-500", 100), parts(&[(0, 99)]));
        assert_eq!(parse_range("bytes=100-", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 100), RangeRequest::Whole);
        assert_eq!(parse_range("items=0-1", 100), RangeRequest::Whole);
        assert_eq!(parse_range("bytes=x-1", 100), RangeRequest::Whole);
        assert_eq!(parse_range("bytes=", 100), RangeRequest::Whole);
    }

    #[test]
    fn several_ranges_keep_their_order_when_disjoint() {
        assert_eq!(parse_range("bytes=0-1, 5-6", 100), parts(&[(0, 1), (5, 6)]));
        assert_eq!(
            parse_range("bytes=50-59,0-9,-5", 100),
            parts(&[(50, 59), (0, 9), (95, 99)])
        );
    }

    #[test]
    fn ranges_past_the_end_are_dropped_and_none_left_is_unsatisfiable() {
        assert_eq!(parse_range("bytes=0-9,200-300", 100), parts(&[(0, 9)]));
        assert_eq!(
            parse_range("bytes=100-,200-300", 100),
            RangeRequest::Unsatisfiable
        );
    }

    #[test]
    fn overlapping_or_touching_ranges_are_merged() {
        assert_eq!(parse_range("bytes=0-9,5-19", 100), parts(&[(0, 19)]));
        assert_eq!(parse_range("bytes=10-19,0-9", 100), parts(&[(0, 19)]));
        assert_eq!(parse_range("bytes=60-69,0-,50-", 100), parts(&[(0, 99)]));
        assert_eq!(
            parse_range("bytes=80-89,0-4,3-7", 100),
            parts(&[(0, 7), (80, 89)])
        );
    }

    #[test]
    fn a_malformed_spec_or_too_many_ranges_is_ignored() {
        assert_eq!(parse_range("bytes=0-1,x", 100), RangeRequest::Whole);
        let many: Vec<String> = (0..=MAX_RANGES)
            .map(|i| format!("{}-{}", i * 2, i * 2))
            .collect();
        assert_eq!(
            parse_range(&format!("bytes={}", many.join(",")), 100),
            RangeRequest::Whole
        );
    }
}
