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
    let mut tail = [0u8; 8];
    tail[..5].copy_from_slice(&random);
    tail[5..].copy_from_slice(&count.to_be_bytes()[1..]);
    object_id_from(secs, u64::from_be_bytes(tail))
}

/// The identifier of an object created at `secs` (Unix seconds) whose other 8 bytes are
/// `tail`: what a seeded generator uses so that the same seed gives the same ids.
pub fn object_id_from(secs: u32, tail: u64) -> String {
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    bytes[4..].copy_from_slice(&tail.to_be_bytes());
    hex::encode(bytes)
}

/// Whether `s` has the form of an ObjectId.
pub fn is_object_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A random (version 4) UUID in its hyphenated form, the id uData gives membership requests.
pub fn uuid4() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    uuid4_from(u128::from_be_bytes(bytes))
}

/// The version 4 UUID made of `random`'s bits (six of them replaced by the version and
/// variant), for seeded generators.
pub fn uuid4_from(random: u128) -> String {
    let mut bytes = random.to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
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

    #[test]
    fn uuids_are_version_4() {
        let id = super::uuid4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, super::uuid4());
    }

    #[test]
    fn seeded_ids_keep_their_time_and_form() {
        let id = super::object_id_from(0x6000_0000, 0x0102_0304_0506_0708);
        assert_eq!(id, "600000000102030405060708");
        let uuid = super::uuid4_from(u128::MAX);
        assert_eq!(uuid, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
