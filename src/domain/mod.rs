//! The models and rules of the portal, without I/O.

pub mod contact_point;
pub mod dataset;
pub mod frequency;
pub mod geozone;
pub mod ids;
pub mod input;
pub mod license;
pub mod markdown;
pub mod organization;
pub mod permissions;
pub mod quality;
pub mod resource;
pub mod secrets;
pub mod slug;
pub mod time;
pub mod user;
pub mod validation;
