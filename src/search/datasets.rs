//! The dataset index: its fields, the document of a dataset, and the searches of
//! `GET /api/1/datasets/` and `GET /api/2/datasets/search/`.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema};
use tantivy::{Order, Searcher, TantivyDocument, Term};

use super::bits::Bits;
use super::collect::{FacetCollector, FacetCounts};
use super::index::{IndexError, IndexResult, KindIndex};
use super::matches::{Clause, Matches};
use super::query::{Visibility, any_of, constant, flag, none_set, range, text_query, typed_words};
use super::rank::{POPULARITY, Ranking, SortField, first_ids, ids_of, popularity};
use super::{Facet, SearchPage, analysis, values};
use crate::domain::dataset::Dataset;
use crate::domain::organization::Organization;
use crate::domain::resource::Resource;
use crate::domain::time::Micros;

/// Bump when the fields or the document change: indexes of another version are rebuilt.
pub const VERSION: u32 = 6;
pub const KIND: &str = "dataset";

/// uData indexes the ids and titles of at most this many resources per dataset.
const MAX_INDEXED_RESOURCES: usize = 500;
/// Values per facet (uData's terms aggregations use 50).
const FACET_SIZE: usize = 50;

/// Text fields and how much a match in each weighs (uData's search service boosts).
const TEXT_FIELDS: &[(&str, f32)] = &[
    ("title", 15.0),
    ("acronym", 15.0),
    ("description", 8.0),
    ("organization_name", 8.0),
    ("resource_titles", 5.0),
];
/// Values of public datasets suggested by word prefix (see `values.rs`).
const SUGGESTED: &[&str] = &["suggest_tag", "suggest_format", "suggest_mime"];
/// Fields whose typos are forgiven.
const FUZZY_FIELDS: &[&str] = &["title", "organization_name"];

/// Keyword fields (exact values, counted by facets).
const KEYWORDS: &[&str] = &[
    "id",
    "tag",
    "license",
    "badge",
    "organization",
    "organization_badge",
    "organization_with_name",
    "owner",
    "format",
    "format_family",
    "schema",
    "schema_version",
    "geozone",
    "granularity",
    "access_type",
    "producer_type",
    "title_sort",
];
const FLAGS: &[&str] = &[
    "private",
    "deleted",
    "archived",
    // Any of the three above: what anonymous searches exclude, in one posting list.
    "hidden",
    "featured",
    "public_service",
];
const NUMBERS: &[&str] = &[
    "created",
    "last_update",
    "followers",
    "reuses",
    "views",
    "temporal_start",
    "temporal_end",
];

/// The schema of the dataset index.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    let text = analysis::french_text();
    for (name, _) in TEXT_FIELDS {
        builder.add_text_field(name, text.clone());
    }
    for name in KEYWORDS {
        builder.add_text_field(name, STRING | FAST);
    }
    // Words of the title and acronym, folded but whole: what suggestions match by prefix.
    builder.add_text_field("title_words", analysis::folded_words());
    for name in SUGGESTED {
        builder.add_text_field(name, STRING);
    }
    for name in FLAGS {
        builder.add_bool_field(name, INDEXED | FAST);
    }
    for name in NUMBERS {
        builder.add_i64_field(name, INDEXED | FAST);
    }
    builder.add_f64_field(POPULARITY, FAST);
    builder.build()
}

fn field(schema: &Schema, name: &str) -> Field {
    schema
        .get_field(name)
        .expect("the dataset schema defines its fields")
}

/// What a dataset's document is made of, besides the dataset.
pub struct Related<'a> {
    pub resources: &'a [Resource],
    pub organization: Option<&'a Organization>,
}

/// Producer types of uData (`get_producer_type`): the organization's producer badges, else
/// `not-specified`; `user` for datasets owned by a user.
const PRODUCER_BADGES: &[&str] = &[
    "public-service",
    "association",
    "company",
    "local-authority",
];

/// The document of a dataset.
pub fn document(schema: &Schema, d: &Dataset, related: &Related) -> TantivyDocument {
    let f = |name| field(schema, name);
    let mut doc = TantivyDocument::default();
    doc.add_text(f("id"), &d.id);
    doc.add_text(f("title"), &d.title);
    doc.add_text(f("title_sort"), crate::domain::slug::fold(&d.title));
    doc.add_text(f("title_words"), &d.title);
    if let Some(acronym) = &d.acronym {
        doc.add_text(f("acronym"), acronym);
        doc.add_text(f("title_words"), acronym);
    }
    doc.add_text(f("description"), &d.description);
    for tag in &d.tags {
        doc.add_text(f("tag"), tag);
    }
    if let Some(license) = &d.license {
        doc.add_text(f("license"), license);
    }
    for badge in &d.badges {
        doc.add_text(f("badge"), &badge.kind);
    }
    if let Some(owner) = &d.owner {
        doc.add_text(f("owner"), owner);
        doc.add_text(f("producer_type"), "user");
    }
    let mut public_service = false;
    if let Some(org) = related.organization {
        doc.add_text(f("organization"), &org.id);
        doc.add_text(f("organization_name"), &org.name);
        doc.add_text(
            f("organization_with_name"),
            format!("{}|{}", org.id, org.name),
        );
        let mut producer = false;
        for badge in &org.badges {
            doc.add_text(f("organization_badge"), &badge.kind);
            if PRODUCER_BADGES.contains(&badge.kind.as_str()) {
                doc.add_text(f("producer_type"), &badge.kind);
                producer = true;
            }
            public_service |= badge.kind == "public-service";
        }
        if !producer {
            doc.add_text(f("producer_type"), "not-specified");
        }
    }
    let mut formats: Vec<String> = Vec::new();
    let mut families: Vec<&str> = Vec::new();
    for (i, resource) in related.resources.iter().enumerate() {
        if i < MAX_INDEXED_RESOURCES {
            doc.add_text(f("resource_titles"), &resource.title);
        }
        if let Some(format) = resource.format.as_deref().filter(|f| !f.is_empty()) {
            let format = format.trim().to_lowercase();
            let family = format_family(&format);
            if !families.contains(&family) {
                families.push(family);
            }
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        if let Some(schema) = &resource.schema {
            if let Some(name) = &schema.name {
                doc.add_text(f("schema"), name);
            }
            if let Some(version) = &schema.version {
                doc.add_text(f("schema_version"), version);
            }
        }
    }
    for format in &formats {
        doc.add_text(f("format"), format);
    }
    if is_public(d) {
        for tag in &d.tags {
            values::add(&mut doc, f("suggest_tag"), tag);
        }
        for format in &formats {
            values::add(&mut doc, f("suggest_format"), format);
        }
        let mut mimes: Vec<&str> = Vec::new();
        for mime in related.resources.iter().filter_map(|r| r.mime.as_deref()) {
            let mime = mime.trim();
            if !mimes.contains(&mime) {
                mimes.push(mime);
                values::add(&mut doc, f("suggest_mime"), mime);
            }
        }
    }
    if families.is_empty() {
        families.push("other");
    }
    for family in families {
        doc.add_text(f("format_family"), family);
    }
    if let Some(spatial) = &d.spatial {
        for zone in &spatial.zones {
            doc.add_text(f("geozone"), zone);
        }
        if let Some(granularity) = &spatial.granularity {
            doc.add_text(f("granularity"), granularity);
        }
    }
    if let Some(access_type) = &d.access_type {
        doc.add_text(f("access_type"), access_type);
    }
    doc.add_bool(f("private"), d.private);
    doc.add_bool(
        f("hidden"),
        d.private || d.deleted.is_some() || d.archived.is_some(),
    );
    doc.add_bool(f("deleted"), d.deleted.is_some());
    doc.add_bool(f("archived"), d.archived.is_some());
    doc.add_bool(f("featured"), d.featured);
    doc.add_bool(f("public_service"), public_service);
    doc.add_i64(f("created"), d.created_at);
    doc.add_i64(f("last_update"), d.counters.last_update);
    doc.add_i64(f("followers"), d.counters.followers);
    doc.add_i64(f("reuses"), d.counters.reuses);
    doc.add_i64(f("views"), d.counters.views);
    doc.add_f64(
        f(POPULARITY),
        popularity(
            d.counters.followers,
            d.counters.views,
            public_service,
            d.featured,
        ),
    );
    if let Some(temporal) = &d.temporal_coverage {
        doc.add_i64(f("temporal_start"), temporal.start);
        if let Some(end) = temporal.end {
            doc.add_i64(f("temporal_end"), end);
        }
    }
    doc
}

/// uData's format families (`TABULAR_FORMATS`… in its settings).
pub fn format_family(format: &str) -> &'static str {
    match format {
        "csv" | "parquet" | "xls" | "xlsx" | "ods" | "tsv" | "csv.gz" => "tabular",
        "json" | "xml" | "rdf" | "sql" | "jsonl" | "ndjson" => "machine_readable",
        "shp" | "kml" | "kmz" | "gpx" | "shx" | "ovr" | "geojson" | "gpkg" | "pmtiles"
        | "mbtiles" | "wms" | "wfs" | "ogc:wms" | "ogc:wfs" => "geographical",
        "pdf" | "doc" | "docx" | "md" | "txt" | "html" | "htm" | "rtf" | "odt" => "documents",
        _ => "other",
    }
}

pub const FORMAT_FAMILIES: &[&str] = &[
    "tabular",
    "machine_readable",
    "geographical",
    "documents",
    "other",
];
pub const PRODUCER_TYPES: &[&str] = &[
    "public-service",
    "association",
    "company",
    "local-authority",
    "user",
    "not-specified",
];
/// `last_update_range` values and how far back each reaches.
pub const LAST_UPDATE_RANGES: &[(&str, i64)] = &[
    ("last_30_days", 30),
    ("last_12_months", 365),
    ("last_3_years", 3 * 365),
];

/// Filters of a dataset search. Lists hold alternatives (any may match) except `tags`, which
/// must all be present.
#[derive(Debug, Clone, Default)]
pub struct DatasetQuery {
    pub q: Option<String>,
    pub tags: Vec<String>,
    pub licenses: Vec<String>,
    pub badges: Vec<String>,
    pub organizations: Vec<String>,
    pub organization_badges: Vec<String>,
    pub owners: Vec<String>,
    pub formats: Vec<String>,
    pub format_families: Vec<String>,
    pub schemas: Vec<String>,
    pub schema_versions: Vec<String>,
    pub geozones: Vec<String>,
    pub granularities: Vec<String>,
    pub access_types: Vec<String>,
    pub producer_types: Vec<String>,
    /// Every word of it in the organization's name.
    pub organization_name: Option<String>,
    /// Only these ids (e.g. the datasets a user follows).
    pub ids: Option<Vec<String>>,
    pub featured: Option<bool>,
    pub archived: Option<bool>,
    pub deleted: Option<bool>,
    pub private: Option<bool>,
    /// Bounds on the temporal coverage's start (v1).
    pub temporal_start: Option<(Micros, Micros)>,
    /// Coverage overlapping this interval (v2).
    pub temporal_overlap: Option<(Micros, Micros)>,
    /// Last updated at or after this instant.
    pub last_update_since: Option<Micros>,
    /// `title`, `created`, `last_update`, `reuses`, `followers`, `views`, with an optional
    /// `-`; relevance when absent and `q` is given, newest first otherwise.
    pub sort: Option<String>,
}

/// The facets of `/api/2/datasets/search/`: name, index field, and the filter it ignores.
const FACETS: &[(&str, &str)] = &[
    ("tag", "tag"),
    ("license", "license"),
    ("format", "format"),
    ("schema", "schema"),
    ("geozone", "geozone"),
    ("granularity", "granularity"),
    ("badge", "badge"),
    ("format_family", "format_family"),
    ("access_type", "access_type"),
    ("producer_type", "producer_type"),
    ("organization_id_with_name", "organization_with_name"),
];
const LAST_UPDATE_FACET: &str = "last_update";
/// The index fields of [`FACETS`], whose tables are kept warm.
pub const FACET_FIELDS: &[&str] = &[
    "tag",
    "license",
    "format",
    "schema",
    "geozone",
    "granularity",
    "badge",
    "format_family",
    "access_type",
    "producer_type",
    "organization_with_name",
];

impl DatasetQuery {
    fn clauses(&self, schema: &Schema, now: Micros) -> Vec<Clause> {
        let f = |name| field(schema, name);
        let mut clauses = Vec::new();
        let mut push = |facet: Option<&'static str>, query: Option<Box<dyn Query>>| {
            if let Some(query) = query {
                clauses.push(Clause::new(facet, query));
            }
        };
        for tag in &self.tags {
            push(Some("tag"), any_of(f("tag"), std::slice::from_ref(tag)));
        }
        push(Some("license"), any_of(f("license"), &self.licenses));
        push(Some("badge"), any_of(f("badge"), &self.badges));
        push(
            Some("organization_id_with_name"),
            any_of(f("organization"), &self.organizations),
        );
        push(
            None,
            any_of(f("organization_badge"), &self.organization_badges),
        );
        push(None, any_of(f("owner"), &self.owners));
        push(Some("format"), any_of(f("format"), &self.formats));
        push(
            Some("format_family"),
            any_of(f("format_family"), &self.format_families),
        );
        push(Some("schema"), any_of(f("schema"), &self.schemas));
        push(None, any_of(f("schema_version"), &self.schema_versions));
        push(Some("geozone"), any_of(f("geozone"), &self.geozones));
        push(
            Some("granularity"),
            any_of(f("granularity"), &self.granularities),
        );
        push(
            Some("access_type"),
            any_of(f("access_type"), &self.access_types),
        );
        push(
            Some("producer_type"),
            any_of(f("producer_type"), &self.producer_types),
        );
        if let Some(name) = &self.organization_name {
            let words: Vec<(Occur, Box<dyn Query>)> = analysis::french_terms(name)
                .iter()
                .map(|word| {
                    let term = Term::from_field_text(f("organization_name"), word);
                    let query: Box<dyn Query> =
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                    (Occur::Must, query)
                })
                .collect();
            if !words.is_empty() {
                push(None, Some(Box::new(BooleanQuery::new(words))));
            }
        }
        if let Some(ids) = &self.ids {
            // An empty list matches nothing.
            push(
                None,
                Some(any_of(f("id"), ids).unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery))),
            );
        }
        for (name, value) in [
            ("featured", self.featured),
            ("archived", self.archived),
            ("deleted", self.deleted),
            ("private", self.private),
        ] {
            if let Some(value) = value {
                push(None, Some(flag(f(name), value)));
            }
        }
        if let Some((from, to)) = self.temporal_start {
            push(None, Some(range(f("temporal_start"), Some(from), Some(to))));
        }
        if let Some((from, to)) = self.temporal_overlap {
            push(None, Some(range(f("temporal_start"), None, Some(to))));
            push(None, Some(range(f("temporal_end"), Some(from), None)));
        }
        if let Some(since) = self.last_update_since {
            clauses.push(Clause {
                kept: false,
                ..Clause::new(
                    Some(LAST_UPDATE_FACET),
                    range(f("last_update"), Some(since.min(now)), None),
                )
            });
        }
        clauses
    }
}

/// Whether everybody may see `d`.
fn is_public(d: &Dataset) -> bool {
    !d.private && d.deleted.is_none() && d.archived.is_none()
}

/// Who may see private, deleted and archived datasets: everybody sees the others.
fn visibility(schema: &Schema, visibility: &Visibility) -> Option<Box<dyn Query>> {
    if visibility.sysadmin {
        return None;
    }
    let f = |name| field(schema, name);
    let public = none_set(&[f("hidden")]);
    let mut visible = vec![(Occur::Should, public)];
    if let Some(user) = &visibility.user_id {
        visible.push((
            Occur::Should,
            Box::new(TermQuery::new(
                Term::from_field_text(f("owner"), user),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if let Some(orgs) = any_of(f("organization"), &visibility.organizations) {
        visible.push((Occur::Should, orgs));
    }
    Some(Box::new(BooleanQuery::new(visible)))
}

/// Public datasets whose title or acronym has every word of `q`, the last one
/// maybe incomplete, most followed first: `/datasets/suggest/`.
pub fn suggest(index: &KindIndex, q: &str, size: usize) -> IndexResult<Vec<String>> {
    let schema = &index.schema;
    let Some(words) = typed_words(field(schema, "title_words"), q) else {
        return Ok(Vec::new());
    };
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, words)];
    if let Some(public) = visibility(schema, &Visibility::default()) {
        parts.push((Occur::Must, constant(public)));
    }
    first_ids(
        index,
        &BooleanQuery::new(parts),
        Ranking::Number("followers", Order::Desc),
        size,
    )
}

/// Tags, resource formats or resource mime types (`field`: `suggest_tag`, `suggest_format`,
/// `suggest_mime`) of public datasets with a word starting with `q`.
pub fn suggest_values(
    index: &KindIndex,
    field_name: &str,
    q: &str,
    size: usize,
) -> IndexResult<Vec<String>> {
    values::suggest(&index.searcher(), field(&index.schema, field_name), q, size).map_err(index_err)
}

/// Whether a list may show `d` to this caller: the rule the index applies, checked again on
/// the stored dataset in case it changed since it was indexed.
pub fn may_list(visibility: &Visibility, d: &Dataset) -> bool {
    may_list_owned(
        visibility,
        is_public(d),
        d.owner.as_deref(),
        d.organization.as_deref(),
    )
}

/// [`may_list`] for a dataset public or not, of this owner or organization.
pub fn may_list_owned(
    visibility: &Visibility,
    public: bool,
    owner: Option<&str>,
    organization: Option<&str>,
) -> bool {
    visibility.sysadmin
        || public
        || owner.is_some_and(|owner| visibility.user_id.as_deref() == Some(owner))
        || organization.is_some_and(|org| visibility.organizations.iter().any(|o| o == org))
}

/// What a search asks for beyond its filters.
pub struct Request<'a> {
    pub query: &'a DatasetQuery,
    pub visibility: &'a Visibility,
    pub offset: usize,
    pub limit: usize,
    pub facets: bool,
    pub now: Micros,
}

/// The sort keys of dataset searches and the fields they order by.
const SORTS: &[(&str, SortField)] = &[
    ("title", SortField::Text("title_sort")),
    ("created", SortField::Number("created")),
    ("last_update", SortField::Number("last_update")),
    ("reuses", SortField::Number("reuses")),
    ("followers", SortField::Number("followers")),
    ("views", SortField::Number("views")),
];

fn index_err(e: tantivy::TantivyError) -> IndexError {
    IndexError::tantivy(KIND, e)
}

/// Runs a dataset search.
pub fn search(index: &KindIndex, request: &Request) -> IndexResult<SearchPage> {
    let schema = &index.schema;
    // Read before the searcher, so that counts kept under it are at least that recent.
    let seq = index.generation();
    let searcher = index.searcher();
    let text = request.query.q.as_deref().and_then(|q| {
        text_query(
            &searcher,
            schema,
            q,
            TEXT_FIELDS,
            FUZZY_FIELDS,
            field(schema, "id"),
        )
    });
    let mut clauses = request.query.clauses(schema, request.now);
    if let Some(visible) = visibility(schema, request.visibility) {
        clauses.push(Clause::new(None, visible));
    }
    let matches =
        Matches::new(&searcher, &index.clauses, text.as_ref(), &clauses).map_err(index_err)?;
    let ranking = Ranking::of_search(request.query.sort.as_deref(), SORTS, text.is_some());
    let addresses = matches
        .page(
            &searcher,
            &index.ranked,
            &index.tables,
            text.as_ref(),
            ranking,
            request.offset..request.offset + request.limit,
        )
        .map_err(index_err)?;
    let ids = ids_of(&searcher, &index.tables, &addresses).map_err(index_err)?;
    let facets = if request.facets {
        Some(facets(&searcher, index, seq, &clauses, &matches, request.now).map_err(index_err)?)
    } else {
        None
    };
    Ok(SearchPage {
        ids,
        total: matches.total(),
        facets,
    })
}

/// The lower bounds of the `last_update` facet's ranges.
fn last_update_bounds(now: Micros) -> Vec<i64> {
    let day = 86_400 * 1_000_000;
    LAST_UPDATE_RANGES
        .iter()
        .map(|(_, days)| now - days * day)
        .collect()
}

fn is_filtered(clauses: &[Clause], name: &str) -> bool {
    clauses.iter().any(|clause| clause.facet == Some(name))
}

/// Counts per facet value, each facet with every filter applied but its own; the counts of a
/// large set are kept in the index's `FacetSetCache` for the searches asking them again.
fn facets(
    searcher: &Searcher,
    index: &KindIndex,
    seq: i64,
    clauses: &[Clause],
    matches: &Matches,
    now: Micros,
) -> tantivy::Result<Vec<Facet>> {
    let tables = &index.tables;
    let kept = &index.facet_sets;
    let filtered = |name: &str| is_filtered(clauses, name);
    let ranges =
        |collector: FacetCollector| collector.with_ranges("last_update", last_update_bounds(now));
    let last_update_facet = |total: u64, counts: Vec<u64>| Facet {
        name: LAST_UPDATE_FACET,
        total,
        values: LAST_UPDATE_RANGES
            .iter()
            .zip(counts)
            .map(|((key, _), count)| ((*key).to_owned(), count))
            .collect(),
    };
    let mut counted: HashMap<&str, Facet> = HashMap::new();
    let keep = |key: &Option<String>, facet: &Facet| {
        if let Some(key) = key {
            kept.put(key, seq, facet);
        }
    };
    let kept_facet = |key: &Option<String>, name: &str| kept.get(key.as_deref()?, seq, name);
    // A facet whose filter is in use counts the matches of every other clause: its own pass.
    let kept_or_counted = |name: &'static str,
                           count: &dyn Fn(Vec<Bits>) -> tantivy::Result<Facet>|
     -> tantivy::Result<Facet> {
        let key = matches.set_key(Some(name));
        if let Some(facet) = kept_facet(&key, name) {
            return Ok(facet);
        }
        let facet = count(matches.without(name))?;
        keep(&key, &facet);
        Ok(facet)
    };
    // The facets whose filter is not in use count the same matches: together, in one pass.
    let together_facets: Vec<&(&'static str, &str)> =
        FACETS.iter().filter(|(name, _)| !filtered(name)).collect();
    let with_ranges = !filtered(LAST_UPDATE_FACET);
    let names = together_facets.iter().map(|(name, _)| *name);
    let shared: Vec<&'static str> = names
        .clone()
        .chain(with_ranges.then_some(LAST_UPDATE_FACET))
        .collect();
    let key = (matches.total() >= kept.min_total)
        .then(|| matches.set_key(None))
        .flatten();
    let hits: Vec<Facet> = shared
        .iter()
        .map_while(|name| kept_facet(&key, name))
        .collect();
    if hits.len() == shared.len() {
        counted.extend(hits.into_iter().map(|facet| (facet.name, facet)));
    } else {
        let fields = together_facets.iter().map(|(_, field)| *field).collect();
        let mut together = FacetCollector::new(tables, fields, FACET_SIZE);
        if with_ranges {
            together = ranges(together);
        }
        let FacetCounts {
            total,
            terms,
            ranges: last_update,
        } = together.count(searcher, &matches.all())?;
        for (name, values) in names.zip(terms) {
            counted.insert(
                name,
                Facet {
                    name,
                    total,
                    values,
                },
            );
        }
        if with_ranges {
            counted.insert(LAST_UPDATE_FACET, last_update_facet(total, last_update));
        }
        for facet in counted.values() {
            keep(&key, facet);
        }
    }
    for (name, index_field) in FACETS.iter().filter(|(name, _)| filtered(name)) {
        let facet = kept_or_counted(name, &|sets| {
            let own = FacetCollector::new(tables, vec![index_field], FACET_SIZE)
                .count(searcher, &sets.iter().collect::<Vec<_>>())?;
            Ok(Facet {
                name,
                total: own.total,
                values: own.terms.into_iter().next().unwrap_or_default(),
            })
        })?;
        counted.insert(name, facet);
    }
    if !with_ranges {
        let facet = kept_or_counted(LAST_UPDATE_FACET, &|sets| {
            let own = ranges(FacetCollector::new(tables, Vec::new(), 0))
                .count(searcher, &sets.iter().collect::<Vec<_>>())?;
            Ok(last_update_facet(own.total, own.ranges))
        })?;
        counted.insert(LAST_UPDATE_FACET, facet);
    }
    Ok(FACETS
        .iter()
        .map(|(name, _)| *name)
        .chain([LAST_UPDATE_FACET])
        .filter_map(|name| counted.remove(name))
        .collect())
}

/// The organizations the index holds for these datasets (what they were when last indexed).
pub fn organizations_of(index: &KindIndex, ids: &[String]) -> IndexResult<Vec<String>> {
    let Some(query) = any_of(field(&index.schema, "id"), ids) else {
        return Ok(Vec::new());
    };
    let counts = index
        .searcher()
        .search(
            &*query,
            &FacetCollector::new(&index.tables, vec!["organization"], usize::MAX),
        )
        .map_err(index_err)?;
    Ok(counts
        .terms
        .into_iter()
        .flatten()
        .map(|(value, _)| value)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Searches over an index of 300 datasets, with facets, each twice: kept counts (every set
    /// kept) must be the counted ones, whatever the page, the words' order or the filters.
    #[test]
    fn kept_facet_counts_are_the_counted_ones() {
        let dir = tempfile::tempdir().expect("dir");
        let mut index =
            KindIndex::open(dir.path(), KIND, schema(), VERSION, FACET_FIELDS).expect("open");
        for i in 0..300 {
            let mut d = crate::domain::dataset::DatasetInput::default()
                .create(format!("{i:024x}"), 1_000_000 * i as i64);
            d.title = ["eau potable", "qualité de l'air", "eau et air"][i % 3].into();
            d.license = Some(["lov2", "odc-odbl"][i % 2].into());
            d.tags = vec![format!("t{}", i % 7), format!("u{}", i % 3)];
            let related = Related {
                resources: &[],
                organization: None,
            };
            index
                .put(&d.id, Some(document(&index.schema, &d, &related)))
                .expect("put");
        }
        index.commit(1, true).expect("commit");
        let queries = [
            "q=eau",
            "q=eau&license=lov2",
            "q=eau&tag=t1",
            "q=eau&tag=t1&license=odc-odbl",
            "q=air+eau",
            "q=eau+air&license=lov2",
            "license=lov2",
            "",
            "q=eau&last_update_range=last_30_days",
        ];
        let search_all = |index: &KindIndex, offset: usize| -> Vec<Vec<Facet>> {
            queries
                .iter()
                .map(|q| {
                    let query = crate::api::datasets::search::parse_search(q).expect("query");
                    search(
                        index,
                        &Request {
                            query: &query,
                            visibility: &Visibility::default(),
                            offset,
                            limit: 5,
                            facets: true,
                            now: crate::domain::time::now(),
                        },
                    )
                    .expect("search")
                    .facets
                    .expect("facets")
                })
                .collect()
        };
        index.facet_sets.min_total = u64::MAX;
        let counted = search_all(&index, 0);
        assert_eq!(index.facet_sets.sets(), 0);
        index.facet_sets.min_total = 1;
        let first = search_all(&index, 0);
        // `q=eau&last_update_range=…` is made of the moment: its sets are not kept.
        assert!(index.facet_sets.sets() >= 8);
        let kept = search_all(&index, 5);
        let show = |facets: &[Vec<Facet>]| format!("{facets:?}");
        assert_eq!(show(&first), show(&counted));
        assert_eq!(show(&kept), show(&counted));
        assert!(
            counted[0]
                .iter()
                .any(|f| f.name == "license" && f.total == 200)
        );
    }
}
