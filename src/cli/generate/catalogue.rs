//! The objects of a generated catalogue: users, organizations with their members, datasets with
//! their resources. Object `i` of each kind comes from its own generator (seed, kind, `i`), so
//! its content does not depend on how the run is batched. Slugs are left to the caller, which
//! knows which are taken.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate};
use serde_json::{Map, Value};

use super::random::{Rng, Zipf};
use super::text::{Vocabulary, acronym, of};
use super::words::{FIRST_NAMES, LAST_NAMES};
use crate::domain::dataset::{
    Dataset, DatasetCounters, SchemaRef, SpatialCoverage, TemporalCoverage,
};
use crate::domain::frequency::FREQUENCIES;
use crate::domain::geozone::shipped_zones;
use crate::domain::ids;
use crate::domain::organization::{Badge, Membership, OrgRole, Organization};
use crate::domain::resource::Resource;
use crate::domain::slug;
use crate::domain::time::Micros;
use crate::domain::user::User;

/// Generated dates fall in this range: 2013-01-01 to 2026-10-01 (fixed, so that a seed gives
/// the same catalogue whenever it runs).
const START: Micros = 1_356_998_400_000_000;
const END: Micros = 1_790_812_800_000_000;
const DAY: Micros = 86_400_000_000;

const USERS: u64 = 1;
const ORGANIZATIONS: u64 = 2;
const DATASETS: u64 = 3;

const LICENSES: &[(&str, u32)] = &[
    ("lov2", 35),
    ("notspecified", 15),
    ("odc-odbl", 12),
    ("fr-lo", 12),
    ("cc-by", 8),
    ("other-open", 4),
    ("cc-by-sa", 3),
    ("other-at", 3),
    ("cc-zero", 2),
    ("odc-by", 2),
    ("other-pd", 2),
    ("odc-pddl", 2),
];

/// The frequencies most datasets declare; the others are drawn uniformly among all 40.
const FREQUENT_FREQUENCIES: &[(&str, u32)] = &[
    ("unknown", 25),
    ("annual", 18),
    ("irregular", 10),
    ("punctual", 10),
    ("monthly", 8),
    ("daily", 6),
    ("quarterly", 5),
    ("continuous", 3),
    ("weekly", 3),
    ("semiannual", 2),
    ("notPlanned", 2),
];

const GRANULARITIES: &[(&str, u32)] = &[
    ("fr:commune", 30),
    ("fr:departement", 20),
    ("fr:region", 15),
    ("country", 15),
    ("fr:epci", 8),
    ("poi", 5),
    ("fr:iris", 4),
    ("other", 3),
];

/// The zones datasets name: the shipped ones (France, its regions and départements), which
/// every store holds, so that generated datasets pass the API's validation.
static SHIPPED_ZONES: LazyLock<ShippedZones> = LazyLock::new(|| {
    let zones = shipped_zones();
    let of_level = |level: &str| -> Vec<String> {
        zones
            .iter()
            .filter(|z| z.level == level)
            .map(|z| z.id.clone())
            .collect()
    };
    ShippedZones {
        regions: of_level("fr:region"),
        departements: of_level("fr:departement"),
    }
});

struct ShippedZones {
    regions: Vec<String>,
    departements: Vec<String>,
}

/// `(format, mime, weight)`.
const FORMATS: &[((&str, &str), u32)] = &[
    (("csv", "text/csv"), 30),
    (("json", "application/json"), 9),
    (
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        9,
    ),
    (("zip", "application/zip"), 8),
    (("pdf", "application/pdf"), 7),
    (("geojson", "application/geo+json"), 6),
    (("xml", "application/xml"), 5),
    (("api", "application/json"), 4),
    (("shp", "application/octet-stream"), 4),
    (("parquet", "application/vnd.apache.parquet"), 3),
    (("xls", "application/vnd.ms-excel"), 3),
    (("ods", "application/vnd.oasis.opendocument.spreadsheet"), 2),
    (("txt", "text/plain"), 2),
    (("html", "text/html"), 2),
    (("kml", "application/vnd.google-earth.kml+xml"), 1),
    (("gtfs", "application/zip"), 1),
    (
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        1,
    ),
];

/// Schemas of schema.data.gouv.fr that resources declare, with versions.
const SCHEMAS: &[(&str, &[&str])] = &[
    ("etalab/schema-irve-statique", &["2.2.0", "2.2.1"]),
    (
        "139bercy/format-commande-publique",
        &["1.5.0", "2.0.0", "2.0.1"],
    ),
    ("scdl/subventions", &["2.1.0"]),
    ("scdl/deliberations", &["2.1.3"]),
    ("etalab/schema-lieux-covoiturage", &["0.2.3"]),
    ("etalab/schema-amenagements-cyclables", &["0.3.3"]),
];

const DOCUMENTATION_TITLES: &[&str] = &[
    "Documentation",
    "Notice explicative",
    "Dictionnaire des variables",
    "Guide d'utilisation",
    "Méthodologie",
];

/// The numbers of objects of a catalogue and its seed.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub datasets: u64,
    pub organizations: u64,
    pub users: u64,
    pub seed: u64,
}

/// Makes the objects of a [`Plan`].
pub struct Catalogue {
    plan: Plan,
    words: Vocabulary,
    first_names: Zipf,
    last_names: Zipf,
    /// Datasets are spread over organizations by Zipf rank: a few publish most of them.
    publishers: Zipf,
}

impl Catalogue {
    pub fn new(plan: Plan) -> Self {
        Catalogue {
            plan,
            words: Vocabulary::default(),
            first_names: Zipf::new(FIRST_NAMES.len(), 0.8),
            last_names: Zipf::new(LAST_NAMES.len(), 0.8),
            publishers: Zipf::new(plan.organizations as usize, 0.9),
        }
    }

    fn rng(&self, kind: u64, index: u64) -> Rng {
        Rng::for_object(self.plan.seed, kind, index)
    }

    /// User `index`, without slug; the email is unique to the seed and index.
    pub fn user(&self, index: u64) -> User {
        let mut rng = self.rng(USERS, index);
        let since = rng.between(START, END);
        let id = object_id(&mut rng, since);
        let first_name = *self.first_names.pick(&mut rng, FIRST_NAMES);
        let last_name = *self.last_names.pick(&mut rng, LAST_NAMES);
        let about = rng.chance(0.2).then(|| {
            format!(
                "Chargé·e de mission sur la question {}.",
                of(self.words.topic(&mut rng))
            )
        });
        let followers = if rng.chance(0.3) {
            rng.long_tail(1.0, 1.5, 10_000)
        } else {
            0
        };
        User {
            email: format!(
                "{}.{}.{}.{index}@example.org",
                slug::slugify(first_name),
                slug::slugify(last_name),
                self.plan.seed
            ),
            id,
            slug: String::new(),
            first_name: first_name.to_owned(),
            last_name: last_name.to_owned(),
            about,
            website: None,
            avatar: None,
            avatar_thumbnail: None,
            roles: Vec::new(),
            active: true,
            since,
            last_login_at: None,
            deleted: None,
            followers,
        }
    }

    /// Organization `index` without slug, and its 1 to 3 members among `users` (ids of users
    /// 0, 1, 2… of the plan).
    pub fn organization(&self, index: u64, users: &[String]) -> (Organization, Vec<Membership>) {
        let mut rng = self.rng(ORGANIZATIONS, index);
        // The earlier of two dates: organizations tend to be older than their datasets.
        let created_at = rng.between(START, END).min(rng.between(START, END));
        let id = object_id(&mut rng, created_at);
        let family_name = self.last_names.pick(&mut rng, LAST_NAMES);
        let kind = *rng.weighted(&[
            ("public-service", 30),
            ("local-authority", 40),
            ("company", 15),
            ("association", 15),
        ]);
        let (name, badge_chance, acronym_chance, certified_chance) = match kind {
            "public-service" => (self.words.public_body(&mut rng), 1.0, 0.6, 0.5),
            "local-authority" => (self.words.local_authority(&mut rng), 0.8, 0.1, 0.3),
            "company" => (self.words.company(&mut rng, family_name), 0.7, 0.2, 0.0),
            _ => (self.words.association(&mut rng), 0.7, 0.1, 0.0),
        };
        let mut badges = Vec::new();
        for (kind, chance) in [(kind, badge_chance), ("certified", certified_chance)] {
            if rng.chance(chance) {
                badges.push(Badge {
                    kind: kind.to_owned(),
                    created: Some(created_at),
                    created_by: None,
                });
            }
        }
        let acronym = rng.chance(acronym_chance).then(|| acronym(&name)).flatten();
        let mut description = format!(
            "{name} publie ses données {} et {}.",
            of(self.words.topic(&mut rng)),
            of(self.words.topic(&mut rng))
        );
        for _ in 0..rng.below(3) {
            description.push(' ');
            description.push_str(&self.words.sentence(&mut rng));
        }
        let url = rng
            .chance(0.7)
            .then(|| format!("https://www.{}.example.org/", slug::slugify(&name)));
        let business_number_id = (kind != "association" && rng.chance(0.7))
            .then(|| format!("{:014}", rng.below(100_000_000_000_000)));
        let members: Vec<Membership> = if users.is_empty() {
            Vec::new()
        } else {
            let count = (1 + rng.below(3)).min(users.len() as u64);
            (0..count)
                .map(|j| Membership {
                    org_id: id.clone(),
                    user_id: users[((index * 3 + j) % users.len() as u64) as usize].clone(),
                    role: if j == 0 {
                        OrgRole::Admin
                    } else {
                        OrgRole::Editor
                    },
                    since: created_at,
                })
                .collect()
        };
        let org = Organization {
            id,
            slug: String::new(),
            name,
            acronym,
            description,
            url,
            business_number_id,
            extras: Map::new(),
            badges,
            logo: None,
            logo_thumbnail: None,
            created_at,
            last_modified: rng.between(created_at, END),
            deleted: None,
            followers: rng.long_tail(5.0, 1.3, 50_000),
            members_count: members.len() as i64,
        };
        (org, members)
    }

    /// Dataset `index` with its resources, owned by one of `organizations` (by Zipf rank) or,
    /// for about 3 %, by one of `users`. Its slug is its title's, for the caller to make unique.
    pub fn dataset(
        &self,
        index: u64,
        organizations: &[String],
        users: &[String],
    ) -> (Dataset, Vec<Resource>) {
        let mut rng = self.rng(DATASETS, index);
        let created_at = rng.between(START, END);
        let last_modified = if rng.chance(0.25) {
            created_at
        } else {
            (created_at + rng.long_tail(60.0, 1.2, 4_000) * DAY + rng.below(DAY as u64) as i64)
                .min(END)
        };
        let id = object_id(&mut rng, created_at);
        let title = self.words.title(&mut rng);
        let acronym = rng.chance(0.08).then(|| acronym(&title)).flatten();
        let description = self.words.description(&mut rng);
        let tags = self.words.tags(&mut rng);
        let by_user = !users.is_empty() && (organizations.is_empty() || rng.chance(0.03));
        let (owner, organization) = if by_user {
            (Some(rng.pick(users).clone()), None)
        } else {
            let rank = self.publishers.sample(&mut rng);
            (None, Some(organizations[rank].clone()))
        };
        let private = rng.chance(0.02);
        let archived = rng.chance(0.01).then_some(last_modified);
        let deleted = rng.chance(0.01).then_some(last_modified);
        let featured = !private && deleted.is_none() && rng.chance(0.005);
        let mut badges = Vec::new();
        for (kind, chance) in [
            ("inspire", 0.02),
            ("hvd", 0.01),
            ("spd", 0.003),
            ("pivotal-data", 0.002),
        ] {
            if rng.chance(chance) {
                badges.push(Badge {
                    kind: kind.to_owned(),
                    created: Some(created_at),
                    created_by: None,
                });
            }
        }
        let frequency = if rng.chance(0.07) {
            rng.pick(FREQUENCIES).0
        } else {
            *rng.weighted(FREQUENT_FREQUENCIES)
        };
        let license = *rng.weighted(LICENSES);
        let temporal_coverage = rng.chance(0.5).then(|| temporal(&mut rng, created_at));
        let spatial = rng.chance(1.0 / 3.0).then(|| spatial(&mut rng));
        let counters = DatasetCounters {
            followers: if rng.chance(0.4) {
                1 + rng.long_tail(2.0, 1.5, 10_000)
            } else {
                0
            },
            reuses: if rng.chance(0.15) {
                1 + rng.long_tail(1.0, 1.8, 500)
            } else {
                0
            },
            views: rng.long_tail(20.0, 1.1, 10_000_000),
            ..DatasetCounters::default()
        };
        let slug = slug::slugify(&title);
        let resources = self.resources(&mut rng, &title, &slug, created_at, last_modified);
        let dataset = Dataset {
            id,
            slug,
            title,
            acronym,
            description,
            description_short: None,
            private,
            featured,
            archived,
            deleted,
            tags,
            badges,
            frequency: frequency.to_owned(),
            frequency_date: None,
            temporal_coverage,
            spatial,
            license: Some(license.to_owned()),
            extras: Map::new(),
            access_type: Some("open".to_owned()),
            access_audiences: Vec::new(),
            authorization_request_url: None,
            access_type_reason_category: None,
            access_type_reason: None,
            contact_points: Vec::new(),
            schema: None,
            owner,
            organization,
            created_at,
            last_modified,
            counters,
        };
        (dataset, resources)
    }

    /// 0 to 12 remote resources (mean about 3), modified between the dataset's creation and
    /// its last modification.
    fn resources(
        &self,
        rng: &mut Rng,
        title: &str,
        dataset_slug: &str,
        created_at: Micros,
        last_modified: Micros,
    ) -> Vec<Resource> {
        let count = if rng.chance(0.05) {
            0
        } else {
            (1 + rng.geometric(1.0 / 3.0)).min(12)
        };
        let short_title: String = title.split(" – ").next().unwrap_or(title).to_owned();
        (0..count)
            .map(|position| {
                let (format, mime) = *rng.weighted(FORMATS);
                let year = rng.between(2012, 2027);
                let kind = match format {
                    "api" => "api",
                    "pdf" | "docx" if rng.chance(0.7) => "documentation",
                    _ if position > 0 && rng.chance(0.1) => *rng.pick(&["update", "other", "code"]),
                    _ => "main",
                };
                let (title, url) = match kind {
                    "api" => (
                        format!("API {short_title}"),
                        format!("https://api.example.org/{dataset_slug}/v1/"),
                    ),
                    "documentation" => {
                        let doc_title = *rng.pick(DOCUMENTATION_TITLES);
                        let file = slug::slugify(doc_title);
                        (
                            doc_title.to_owned(),
                            format!(
                                "https://static.example.org/{dataset_slug}/{file}.{format}"
                            ),
                        )
                    }
                    _ if rng.chance(0.5) => (
                        format!("{dataset_slug}-{year}.{format}"),
                        format!(
                            "https://static.example.org/{dataset_slug}/{dataset_slug}-{year}.{format}"
                        ),
                    ),
                    _ => (
                        format!("{short_title} {year}"),
                        format!(
                            "https://static.example.org/{dataset_slug}/{position}-{year}.{format}"
                        ),
                    ),
                };
                let created = rng.between(created_at, last_modified + 1);
                let modified = rng.between(created, last_modified + 1);
                let schema = (format == "csv" && rng.chance(0.06)).then(|| {
                    let (name, versions) = *rng.pick(SCHEMAS);
                    SchemaRef {
                        name: Some(name.to_owned()),
                        version: Some((*rng.pick(versions)).to_owned()),
                        url: None,
                    }
                });
                let mut extras = Map::new();
                if rng.chance(0.02) {
                    extras.insert("check:available".to_owned(), Value::Bool(false));
                }
                Resource {
                    id: ids::uuid4_from(
                        (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64()),
                    ),
                    title,
                    description: rng.chance(0.3).then(|| self.words.sentence(rng)),
                    filetype: "remote".to_owned(),
                    kind: kind.to_owned(),
                    url,
                    format: Some(format.to_owned()),
                    mime: Some(mime.to_owned()),
                    filesize: (format != "api")
                        .then(|| 1_000 + rng.long_tail(200_000.0, 1.1, 5_000_000_000)),
                    checksum: None,
                    schema,
                    extras,
                    created_at: created,
                    last_modified: modified,
                    fs_filename: None,
                }
            })
            .collect()
    }
}

/// An ObjectId whose time part is the object's creation, so ids sort as uData's do.
fn object_id(rng: &mut Rng, created_at: Micros) -> String {
    ids::object_id_from((created_at / 1_000_000) as u32, rng.next_u64())
}

/// Microseconds at the start of January 1st of `year`.
fn new_year(year: i32) -> Micros {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(START, |d| d.and_utc().timestamp_micros())
}

/// Whole years from 1990 on, starting no later than the dataset's creation.
fn temporal(rng: &mut Rng, created_at: Micros) -> TemporalCoverage {
    let created_year = DateTime::from_timestamp_micros(created_at).map_or(2013, |d| d.year());
    let start = rng.between(1990, i64::from(created_year) + 1) as i32;
    let end = rng
        .chance(0.7)
        .then(|| new_year(start + 1 + rng.between(0, 10) as i32) - 1);
    TemporalCoverage {
        start: new_year(start),
        end,
    }
}

fn spatial(rng: &mut Rng) -> SpatialCoverage {
    let granularity = *rng.weighted(GRANULARITIES);
    let zones = &*SHIPPED_ZONES;
    // Finer granularities than départements cover a département (the shipped zones stop there).
    let zone = match granularity {
        "country" => Some("country:fr".to_owned()),
        "fr:region" => Some(rng.pick(&zones.regions).clone()),
        "fr:departement" | "fr:commune" | "fr:epci" | "fr:iris" => {
            Some(rng.pick(&zones.departements).clone())
        }
        _ => None,
    }
    .filter(|_| rng.chance(0.6));
    SpatialCoverage {
        zones: zone.into_iter().collect(),
        granularity: Some(granularity.to_owned()),
        geom: None,
    }
}
