//! A dataset's answer (`GET /datasets/{dataset}/`, an item of the v1 list) kept serialized:
//! the bytes every caller gets at any time, and between them the two parts written per
//! request, `quality` (its `update_fulfilled_in_time` depends on the clock) and `permissions`
//! (on the caller). The v2 form (an item of `/api/2/datasets/search/`) is written from the
//! same bytes, with links in place of the resources; an answer made for it alone leaves the
//! resources unread (most of a v1 answer's bytes and of its reading).

use serde_json::{Map, Value};

use super::model::{DatasetJson, DatasetPermissions, Resources};
use super::v2_model::SubsectionLink;
use super::{can_edit_owned, read_rule};
use crate::api::answers::Answer;
use crate::api::error::{ApiError, ApiResult};
use crate::api::extract::Auth;
use crate::domain::dataset::Dataset;
use crate::domain::quality::{quality, update_deadline};
use crate::domain::time::Micros;
use crate::search::Visibility;
use crate::search::datasets::may_list_owned;

/// One dataset's answer, serialized once, with what the read rule and the permissions need.
#[derive(Debug)]
pub struct DatasetFragments {
    pub id: String,
    pub slug: String,
    pub owner: Option<String>,
    pub organization: Option<String>,
    /// The ids of the dataset's contact points.
    pub contact_points: Vec<String>,
    pub private: bool,
    pub deleted: bool,
    pub archived: bool,
    /// `{"id":…,"quality":`
    head: Bytes,
    /// Where the value of `resources` is in `head`.
    resources: std::ops::Range<usize>,
    /// Whether that value lists the resources (else the answer serves the v2 form only).
    pub resources_listed: Resources,
    /// How many resources the dataset has.
    pub resources_total: i64,
    /// `quality` until the update deadline (for ever without one).
    quality: Bytes,
    /// The update deadline and `quality` after it.
    late: Option<(Micros, Bytes)>,
    /// `,"last_update":…,"permissions":`; the answer ends with the permissions and `}`.
    tail: Bytes,
}

impl DatasetFragments {
    /// The answer about `d` from `json`, its answer to anybody at any time (its quality and
    /// permissions are replaced), whose resources were read or not as `resources` says.
    pub fn of(d: &Dataset, mut json: DatasetJson, resources_listed: Resources) -> ApiResult<Self> {
        let internal = |what: &str| ApiError::Internal(format!("the dataset answer has no {what}"));
        // The resources, most of the bytes, are serialized once, apart, and put back in place
        // of an empty list: `split` serializes the rest twice.
        let resources = serde_json::to_vec(&std::mem::take(&mut json.resources))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let (head, tail) =
            split(json).ok_or_else(|| internal("quality or permissions to split"))?;
        let (head, resources) =
            with_resources(&head, &resources).ok_or_else(|| internal("resources"))?;
        let serialize = |q: Map<String, Value>| -> ApiResult<Bytes> {
            serde_json::to_vec(&q)
                .map(Vec::into_boxed_slice)
                .map_err(|e| ApiError::Internal(e.to_string()))
        };
        let (quality_bytes, late) = match update_deadline(d) {
            Some(deadline) => (
                serialize(quality(d, deadline))?,
                Some((deadline, serialize(quality(d, deadline.saturating_add(1)))?)),
            ),
            None => (serialize(quality(d, 0))?, None),
        };
        Ok(DatasetFragments {
            id: d.id.clone(),
            slug: d.slug.clone(),
            owner: d.owner.clone(),
            organization: d.organization.clone(),
            contact_points: d.contact_points.clone(),
            private: d.private,
            deleted: d.deleted.is_some(),
            archived: d.archived.is_some(),
            head,
            resources,
            resources_listed,
            resources_total: d.counters.resources,
            quality: quality_bytes,
            late,
            tail,
        })
    }

    /// Whether the caller may edit the dataset.
    pub fn editable(&self, auth: &Auth) -> bool {
        can_edit_owned(auth, self.owner.as_deref(), self.organization.as_deref())
    }

    /// The read rule: a private dataset is a 404 and a deleted one a 410 to those who may not
    /// edit it.
    pub fn ensure_readable(&self, auth: &Auth) -> ApiResult<()> {
        read_rule(self.editable(auth), self.private, self.deleted)
    }

    /// Whether a list may show the dataset to the caller, as
    /// [`may_list`](crate::search::datasets::may_list) decides.
    pub fn may_list(&self, visibility: &Visibility) -> bool {
        let public = !self.private && !self.deleted && !self.archived;
        may_list_owned(
            visibility,
            public,
            self.owner.as_deref(),
            self.organization.as_deref(),
        )
    }

    /// The whole answer to the caller at `now`.
    pub fn answer(&self, auth: &Auth, now: Micros) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size() + 80);
        self.write(&mut out, auth, now);
        out
    }

    /// Whether the answer may be served as `resources` asks: one that lists the resources
    /// serves both forms.
    pub fn serves(&self, resources: Resources) -> bool {
        resources == Resources::Linked || self.resources_listed == Resources::Listed
    }

    /// Appends the answer to the caller at `now` to `out`.
    pub fn write(&self, out: &mut Vec<u8>, auth: &Auth, now: Micros) {
        debug_assert!(
            self.serves(Resources::Listed),
            "an answer without its resources"
        );
        out.extend_from_slice(&self.head);
        self.write_rest(out, auth, now);
        out.push(b'}');
    }

    /// Appends the v2 answer to the caller at `now` to `out`: `resources` is a link to them,
    /// and `community_resources`, a link too, comes last.
    pub fn write_v2(
        &self,
        out: &mut Vec<u8>,
        auth: &Auth,
        now: Micros,
        resources: &SubsectionLink,
        community_resources: &SubsectionLink,
    ) {
        out.extend_from_slice(&self.head[..self.resources.start]);
        serde_json::to_writer(&mut *out, resources).expect("a link serializes");
        out.extend_from_slice(&self.head[self.resources.end..]);
        self.write_rest(out, auth, now);
        out.extend_from_slice(b",\"community_resources\":");
        serde_json::to_writer(&mut *out, community_resources).expect("a link serializes");
        out.push(b'}');
    }

    /// The quality, the tail and the permissions, after the head.
    fn write_rest(&self, out: &mut Vec<u8>, auth: &Auth, now: Micros) {
        let quality = match &self.late {
            Some((deadline, late)) if now > *deadline => late,
            _ => &self.quality,
        };
        out.extend_from_slice(quality);
        out.extend_from_slice(&self.tail);
        let permissions = DatasetPermissions::new(self.editable(auth), self.private, self.deleted);
        serde_json::to_writer(&mut *out, &permissions).expect("booleans serialize");
    }
}

impl Answer for DatasetFragments {
    const KIND: &'static str = "dataset";
    const METRICS_NAME: &'static str = "dataset_answers";
    /// About 40,000 answers of datasets with ten resources. A catalogue smaller than that
    /// never fills it; at a million datasets, 64 MiB answered 15 % fewer searches per second
    /// (BENCHMARKS.md).
    const DEFAULT_SIZE: usize = 256 * 1024 * 1024;

    fn id(&self) -> &str {
        &self.id
    }

    fn slug(&self) -> &str {
        &self.slug
    }

    /// Its organization, its owner and its contact points; its resources, follows and
    /// counters are logged as changes of the dataset itself.
    fn embedded(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let organization = self.organization.as_deref().map(|id| ("organization", id));
        let owner = self.owner.as_deref().map(|id| ("user", id));
        let contact_points = self
            .contact_points
            .iter()
            .map(|id| ("contact_point", id.as_str()));
        organization.into_iter().chain(owner).chain(contact_points)
    }

    fn size(&self) -> usize {
        let strings = [&self.owner, &self.organization]
            .iter()
            .filter_map(|s| s.as_ref().map(String::len))
            .chain(self.contact_points.iter().map(String::len))
            .sum::<usize>();
        self.head.len()
            + self.quality.len()
            + self.late.as_ref().map_or(0, |(_, late)| late.len())
            + self.tail.len()
            + self.id.len()
            + self.slug.len()
            + strings
    }
}

type Bytes = Box<[u8]>;

/// `json` serialized without its quality and permissions: the bytes before the quality and
/// those between it and the permissions (the last field). The quality is found by serializing
/// twice with two different ones: whatever the other fields hold, only its bytes differ.
fn split(mut json: DatasetJson) -> Option<(Bytes, Bytes)> {
    json.quality = Map::new();
    let empty = serde_json::to_vec(&json).ok()?;
    json.quality = Map::from_iter([(String::new(), Value::from(0))]);
    let probe = serde_json::to_vec(&json).ok()?;
    // `…"quality":{}…` and `…"quality":{"":0}…`: the common prefix ends after the `{`, the
    // common suffix starts at the `}`.
    let prefix = empty.iter().zip(&probe).take_while(|(a, b)| a == b).count();
    let room = empty.len().min(probe.len()) - prefix;
    let suffix = empty
        .iter()
        .rev()
        .zip(probe.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let start = prefix.checked_sub(1)?;
    let end = empty.len() - suffix + 1;
    if empty.get(start..end) != Some(b"{}".as_slice()) {
        return None;
    }
    let permissions = serde_json::to_vec(&json.permissions).ok()?;
    let tail_end = empty.len().checked_sub(permissions.len() + 1)?;
    if tail_end < end
        || empty[tail_end..empty.len() - 1] != permissions[..]
        || !empty[..tail_end].ends_with(b",\"permissions\":")
    {
        return None;
    }
    Some((empty[..start].into(), empty[end..tail_end].into()))
}

/// `head` with `resources` (the field's serialized value) in place of its empty list, and where
/// they are. Before the field come only strings, flags and badges, and a string holds a quote
/// only escaped: the first `,"resources":[]` is the field's.
fn with_resources(head: &[u8], resources: &[u8]) -> Option<(Bytes, std::ops::Range<usize>)> {
    const EMPTY: &[u8] = b",\"resources\":[]";
    let start = head.windows(EMPTY.len()).position(|w| w == EMPTY)? + EMPTY.len() - 2;
    let mut with = Vec::with_capacity(head.len() + resources.len());
    with.extend_from_slice(&head[..start]);
    with.extend_from_slice(resources);
    with.extend_from_slice(&head[start + 2..]);
    Some((with.into(), start..start + resources.len()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::api::datasets::v2_model::links;
    use crate::api::state::AppState;
    use crate::config::HttpSettings;
    use crate::domain::dataset::DatasetInput;
    use crate::domain::permissions::Actor;
    use crate::domain::resource::{Resource, ResourceInput};
    use crate::domain::secrets::ServerSecret;
    use crate::domain::user::User;
    use crate::outbound::AddressPolicy;
    use crate::store::Store;
    use crate::store::dataset_view::DatasetView;

    const DAY: Micros = 86_400_000_000;

    async fn app(dir: &std::path::Path) -> AppState {
        let store = Store::open(dir, None).await.expect("store");
        let settings = HttpSettings {
            base_url: "http://plateau.test".into(),
            read_only: false,
            rate_limit: 0,
            rate_limit_window: 1,
            max_page_size: 100,
            max_upload_size: 1,
            files_dir: dir.join("files"),
            search_dir: dir.join("search"),
            fetch_policy: AddressPolicy::PublicOnly,
            fetch_timeout: std::time::Duration::from_secs(1),
            dataset_cache_size: 0,
            organization_cache_size: 0,
        };
        AppState::new(store, settings, ServerSecret::generate(), None)
    }

    fn user(id: &str) -> User {
        serde_json::from_value(json!({"id": id, "slug": id, "email": "u@example.org",
            "first_name": "U", "last_name": "Ser", "active": true, "since": 0}))
        .expect("a user")
    }

    /// Tricky content: keys and values that look like the fields the split looks for.
    fn dataset() -> Dataset {
        let mut d = DatasetInput::parse(
            &json!({"title": "t\"quality\":{}", "description": "\"permissions\":{}",
                "frequency": "daily", "extras": {"quality": {}, "permissions": {"read": true}},
                "license": "lov2"}),
            true,
        )
        .expect("valid")
        .create("5f0000000000000000000001".into(), 1_000);
        d.owner = Some("5f0000000000000000000002".into());
        d.counters.last_update = 10 * DAY;
        d.counters.resources = 1;
        d
    }

    fn resource() -> Resource {
        ResourceInput::parse(
            &json!({"title": "r \"quality\":{}", "url": "https://example.org/r.csv",
                "filetype": "remote", "extras": {"quality": 1}}),
            true,
        )
        .expect("valid")
        .create("r1".into(), 2_000)
    }

    #[tokio::test]
    async fn answers_are_what_serde_writes_for_every_caller_and_time() {
        let dir = tempfile::tempdir().expect("dir");
        let app = app(dir.path()).await;
        let owner = user("5f0000000000000000000002");
        let callers = [
            Auth::default(),
            Auth(Some(Arc::new(Actor {
                user: owner.clone(),
                memberships: Vec::new(),
            }))),
        ];
        for private in [false, true] {
            let mut d = dataset();
            d.private = private;
            let view = || DatasetView {
                dataset: d.clone(),
                resources: vec![resource()],
                organization: None,
                owner: Some(owner.clone()),
            };
            let anybody = DatasetJson::of_view(&app, &Auth::default(), view(), 0);
            let fragments = DatasetFragments::of(&d, anybody, Resources::Listed).expect("split");
            let deadline = update_deadline(&d).expect("daily");
            for auth in &callers {
                for now in [0, deadline - 1, deadline, deadline + 1, deadline + 30 * DAY] {
                    let expected =
                        serde_json::to_vec(&DatasetJson::of_view(&app, auth, view(), now))
                            .expect("serializes");
                    assert_eq!(
                        String::from_utf8_lossy(&fragments.answer(auth, now)),
                        String::from_utf8_lossy(&expected)
                    );
                }
            }
        }
    }

    /// The v2 answer is the v1 answer with `resources` replaced by a link and a link to the
    /// community resources added last, as serde writes them, with and without resources.
    #[tokio::test]
    async fn v2_answers_link_to_the_resources() {
        let dir = tempfile::tempdir().expect("dir");
        let app = app(dir.path()).await;
        let owner = user("5f0000000000000000000002");
        for resources in [vec![], vec![resource(), resource()]] {
            let mut d = dataset();
            d.counters.resources = resources.len() as i64;
            let view = || DatasetView {
                dataset: d.clone(),
                resources: resources.clone(),
                organization: None,
                owner: Some(owner.clone()),
            };
            let json = DatasetJson::of_view(&app, &Auth::default(), view(), 0);
            let fragments = DatasetFragments::of(&d, json, Resources::Listed).expect("split");
            let (to_resources, to_community) = links(&app, &d.id, d.counters.resources, 3);
            let mut written = Vec::new();
            fragments.write_v2(
                &mut written,
                &Auth::default(),
                0,
                &to_resources,
                &to_community,
            );

            let json = DatasetJson::of_view(&app, &Auth::default(), view(), 0);
            let mut expected = serde_json::to_value(json).expect("a value");
            let object = expected.as_object_mut().expect("an object");
            object.insert(
                "resources".into(),
                serde_json::to_value(&to_resources).expect("link"),
            );
            object.insert(
                "community_resources".into(),
                serde_json::to_value(&to_community).expect("link"),
            );
            assert_eq!(
                String::from_utf8_lossy(&written),
                serde_json::to_string(&expected).expect("serializes")
            );
            assert_eq!(to_resources.total, resources.len() as i64);
        }
    }

    #[tokio::test]
    async fn read_rule_and_what_the_answer_embeds() {
        let dir = tempfile::tempdir().expect("dir");
        let app = app(dir.path()).await;
        let mut d = dataset();
        d.deleted = Some(5);
        d.organization = Some("org".into());
        d.contact_points = vec!["cp".into()];
        let view = DatasetView {
            dataset: d.clone(),
            resources: Vec::new(),
            organization: None,
            owner: None,
        };
        let json = DatasetJson::of_view(&app, &Auth::default(), view, 0);
        let fragments = DatasetFragments::of(&d, json, Resources::Listed).expect("split");
        assert!(matches!(
            fragments.ensure_readable(&Auth::default()),
            Err(ApiError::Gone(_))
        ));
        let embedded: Vec<_> = fragments.embedded().collect();
        assert_eq!(
            embedded,
            [
                ("organization", "org"),
                ("user", "5f0000000000000000000002"),
                ("contact_point", "cp")
            ]
        );
    }
}
