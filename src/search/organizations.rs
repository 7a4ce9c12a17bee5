//! The organization index: its fields, the document of an organization, and the searches of
//! `GET /api/1/organizations/`, `GET /api/2/organizations/search/` and
//! `/organizations/suggest/`. Deleted organizations are not indexed (uData's `is_indexable`).

use tantivy::schema::{FAST, Field, INDEXED, STRING, Schema};
use tantivy::{Order, TantivyDocument};

use super::collect::FacetCollector;
use super::index::{IndexError, IndexResult, KindIndex};
use super::matches::{Clause, Matches};
use super::query::{any_of, text_query, typed_words};
use super::rank::{POPULARITY, Ranking, SortField, first_ids, ids_of, popularity};
use super::{Facet, SearchPage, analysis};
use crate::domain::organization::Organization;
use crate::domain::slug::fold;

/// Bump when the fields or the document change: indexes of another version are rebuilt.
pub const VERSION: u32 = 2;
pub const KIND: &str = "organization";

/// Text fields and how much a match in each weighs (uData's search service boosts).
const TEXT_FIELDS: &[(&str, f32)] = &[("name", 15.0), ("acronym", 15.0), ("description", 8.0)];
/// Fields whose typos are forgiven.
const FUZZY_FIELDS: &[&str] = &["name"];
/// Keyword fields (exact values).
const KEYWORDS: &[&str] = &[
    "id",
    "badge",
    "producer_type",
    "name_folded",
    "business_number_id",
];
const NUMBERS: &[&str] = &[
    "created",
    "last_modified",
    "followers",
    "datasets",
    "reuses",
    "views",
];

/// Badges that say what kind of producer an organization is (uData's `PRODUCER_BADGE_TYPES`).
const PRODUCER_BADGES: &[&str] = &[
    "public-service",
    "association",
    "company",
    "local-authority",
];
/// Producer types of organizations: their producer badges, else `not-specified`.
pub const PRODUCER_TYPES: &[&str] = &[
    "public-service",
    "association",
    "company",
    "local-authority",
    "not-specified",
];
/// Values per facet (uData's terms aggregations use 50).
const FACET_SIZE: usize = 50;

/// The schema of the organization index.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    let text = analysis::french_text();
    for (name, _) in TEXT_FIELDS {
        builder.add_text_field(name, text.clone());
    }
    for name in KEYWORDS {
        builder.add_text_field(name, STRING | FAST);
    }
    // Words of the name and acronym, folded but whole: what suggestions match by prefix.
    builder.add_text_field("name_words", analysis::folded_words());
    builder.add_bool_field("public_service", INDEXED | FAST);
    for name in NUMBERS {
        builder.add_i64_field(name, INDEXED | FAST);
    }
    builder.add_f64_field(POPULARITY, FAST);
    builder.build()
}

fn field(schema: &Schema, name: &str) -> Field {
    schema
        .get_field(name)
        .expect("the organization schema defines its fields")
}

/// The document of an organization that is not deleted, with its count of public datasets.
pub fn document(schema: &Schema, org: &Organization, datasets: i64) -> TantivyDocument {
    let f = |name| field(schema, name);
    let mut doc = TantivyDocument::default();
    doc.add_text(f("id"), &org.id);
    doc.add_text(f("name"), &org.name);
    doc.add_text(f("name_folded"), fold(&org.name));
    doc.add_text(f("name_words"), &org.name);
    if let Some(acronym) = &org.acronym {
        doc.add_text(f("acronym"), acronym);
        doc.add_text(f("name_words"), acronym);
    }
    doc.add_text(f("description"), &org.description);
    if let Some(number) = &org.business_number_id {
        doc.add_text(f("business_number_id"), number);
    }
    let mut public_service = false;
    let mut producer = false;
    for badge in &org.badges {
        doc.add_text(f("badge"), &badge.kind);
        if PRODUCER_BADGES.contains(&badge.kind.as_str()) {
            doc.add_text(f("producer_type"), &badge.kind);
            producer = true;
        }
        public_service |= badge.kind == "public-service";
    }
    if !producer {
        doc.add_text(f("producer_type"), "not-specified");
    }
    doc.add_bool(f("public_service"), public_service);
    doc.add_i64(f("created"), org.created_at);
    doc.add_i64(f("last_modified"), org.last_modified);
    doc.add_i64(f("followers"), org.followers);
    doc.add_i64(f("datasets"), datasets);
    // Reuses and views are counted by areas that do not exist yet.
    doc.add_i64(f("reuses"), 0);
    doc.add_i64(f("views"), 0);
    doc.add_f64(
        f(POPULARITY),
        popularity(org.followers, 0, public_service, false),
    );
    doc
}

/// Filters of an organization search; lists hold alternatives.
#[derive(Debug, Clone, Default)]
pub struct OrganizationQuery {
    pub q: Option<String>,
    pub badges: Vec<String>,
    pub producer_types: Vec<String>,
    /// The exact name, case and accents aside (v1).
    pub name: Option<String>,
    pub business_number_id: Option<String>,
    /// A key of [`SORTS`], with an optional `-`; relevance when absent and `q` is given,
    /// newest first otherwise.
    pub sort: Option<String>,
}

/// The sort keys of organization searches and the fields they order by.
pub const SORTS: &[(&str, SortField)] = &[
    ("name", SortField::Text("name_folded")),
    ("reuses", SortField::Number("reuses")),
    ("datasets", SortField::Number("datasets")),
    ("followers", SortField::Number("followers")),
    ("views", SortField::Number("views")),
    ("created", SortField::Number("created")),
    ("last_modified", SortField::Number("last_modified")),
];

const PRODUCER_TYPE_FACET: &str = "producer_type";
/// The keyword fields facets count.
pub const FACET_FIELDS: &[&str] = &[PRODUCER_TYPE_FACET];

impl OrganizationQuery {
    /// The filter clauses, without the producer type's when `for_facet` (its facet counts
    /// every producer type).
    fn clauses(&self, schema: &Schema) -> Vec<Clause> {
        let f = |name| field(schema, name);
        let one = |value: &Option<String>| value.iter().cloned().collect::<Vec<_>>();
        let name = self
            .name
            .as_deref()
            .map(fold)
            .into_iter()
            .collect::<Vec<_>>();
        [
            (None, any_of(f("badge"), &self.badges)),
            (None, any_of(f("name_folded"), &name)),
            (
                None,
                any_of(f("business_number_id"), &one(&self.business_number_id)),
            ),
            (
                Some(PRODUCER_TYPE_FACET),
                any_of(f("producer_type"), &self.producer_types),
            ),
        ]
        .into_iter()
        .filter_map(|(facet, query)| Some(Clause::new(facet, query?)))
        .collect()
    }
}

fn index_err(e: tantivy::TantivyError) -> IndexError {
    IndexError::tantivy(KIND, e)
}

/// Runs an organization search; with `facets`, the producer types of what matches every
/// filter but the producer type's.
pub fn search(
    index: &KindIndex,
    query: &OrganizationQuery,
    offset: usize,
    limit: usize,
    facets: bool,
) -> IndexResult<SearchPage> {
    let schema = &index.schema;
    let searcher = index.searcher();
    let text = query.q.as_deref().and_then(|q| {
        text_query(
            &searcher,
            schema,
            q,
            TEXT_FIELDS,
            FUZZY_FIELDS,
            field(schema, "id"),
        )
    });
    let clauses = query.clauses(schema);
    let matches =
        Matches::new(&searcher, &index.clauses, text.as_ref(), &clauses).map_err(index_err)?;
    let ranking = Ranking::of_search(query.sort.as_deref(), SORTS, text.is_some());
    let addresses = matches
        .page(
            &searcher,
            &index.ranked,
            &index.tables,
            text.as_ref(),
            ranking,
            offset..offset + limit,
        )
        .map_err(index_err)?;
    let ids = ids_of(&searcher, &index.tables, &addresses).map_err(index_err)?;
    let facets = if facets {
        // uData's search service applies every filter after its aggregations: the facet counts
        // what the text matches.
        let counts = FacetCollector::new(&index.tables, vec![PRODUCER_TYPE_FACET], FACET_SIZE)
            .count(&searcher, &matches.text())
            .map_err(index_err)?;
        Some(vec![Facet {
            name: PRODUCER_TYPE_FACET,
            total: counts.total,
            values: counts.terms.into_iter().next().unwrap_or_default(),
        }])
    } else {
        None
    };
    Ok(SearchPage {
        ids,
        total: matches.total(),
        facets,
    })
}

/// Organizations whose name or acronym has every word of `q`, the last one
/// maybe incomplete, most followed first: `/organizations/suggest/`.
pub fn suggest(index: &KindIndex, q: &str, size: usize) -> IndexResult<Vec<String>> {
    let Some(words) = typed_words(field(&index.schema, "name_words"), q) else {
        return Ok(Vec::new());
    };
    first_ids(
        index,
        &*words,
        Ranking::Number("followers", Order::Desc),
        size,
    )
}
