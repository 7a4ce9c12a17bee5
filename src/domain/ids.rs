//! ObjectId-style identifiers: 24 hex digits (4 bytes of seconds, 5 random, 3 of a counter),
//! so ids sort by creation time as uData's do.

use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A new 24-hex-digit identifier.
pub fn object_id() -> String {
    let secs = (super::time::now() / 1_000_000) as u32;
    let mut random = [0u8; 5];
    getrandom::fill(&mut random).expect("the OS random source is available");
    let count = COUNTER.fetch_add(1, Ordering::Relaxed) & 0x00ff_ffff;
    let mut bytes = Vec::with_capacity(12);
    bytes.extend_from_slice(&secs.to_be_bytes());
    bytes.extend_from_slice(&random);
    bytes.extend_from_slice(&count.to_be_bytes()[1..]);
    hex::encode(bytes)
}

/// Whether `s` has the form of an ObjectId.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique_and_well_formed() {
        let a = super::object_id();
        let b = super::object_id();
        assert_ne!(a, b);
        assert!(super::is_object_id(&a));
        assert!(!super::is_object_id("not-an-id"));
    }
}
