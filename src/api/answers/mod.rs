//! The answer cache: the answers of the kinds read far more than written (datasets and
//! organizations now), kept serialized per object, one [`AnswerCache`] per kind, each within
//! its own budget of bytes. A kind says what differs through [`Answer`]: its change-log kind,
//! the other objects its answer shows, and how the kept bytes become the answer to a caller
//! (the kind's fragments type writes the parts that depend on the caller or the clock).
//!
//! Freshness, for every kind alike ([`follow`]): this process's writes remove what they
//! change before they return (the store's write hook); other processes' writes are read from
//! the change log every [`POLL`], and answers are served only while the last complete read of
//! the log started less than [`BOUND`] ago, so a write committed elsewhere is seen by every
//! request that starts [`BOUND`] after it (usually within [`POLL`]). An answer read from the
//! store is kept only if nothing was invalidated while it was read (its [`Ticket`]).

mod cache;
mod follow;

use std::time::Duration;

pub use cache::{AnswerCache, Entry, Ticket};
pub use follow::{Followed, follow};

/// How often the change log is read for other processes' writes.
pub const POLL: Duration = Duration::from_millis(100);
/// How old the last complete read of the change log may be for answers to be served.
pub const BOUND: Duration = Duration::from_secs(1);

/// One kind's answer as the cache keeps it.
pub trait Answer: Send + Sync + 'static {
    /// The change-log kind of the objects answered: an entry of this kind removes the answer
    /// about its id (and any kept under that id as a slug).
    const KIND: &'static str;
    /// The `cache` label of its hit and miss counters in the metrics.
    const METRICS_NAME: &'static str;
    /// The kind's budget unless configured.
    const DEFAULT_SIZE: usize;
    /// The id of the object answered.
    fn id(&self) -> &str;
    /// Its current slug: an answer filled by slug is found by it.
    fn slug(&self) -> &str;
    /// The other stored objects the answer shows, as `(change-log kind, id)`: a change-log
    /// entry naming one of them removes the answer, so every write that changes what the
    /// answer shows must log one.
    fn embedded(&self) -> impl Iterator<Item = (&'static str, &str)>;
    /// The bytes kept, about.
    fn size(&self) -> usize;
}
