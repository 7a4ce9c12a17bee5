//! The user index: the words of users' names, for `/users/suggest/`. Deleted users are not
//! indexed.

use tantivy::schema::{FAST, Field, INDEXED, STRING, Schema};
use tantivy::{Order, TantivyDocument};

use super::analysis;
use super::index::{IndexResult, KindIndex};
use super::query::typed_words;
use super::rank::{Ranking, first_ids};
use crate::domain::user::User;

/// Bump when the fields or the document change: indexes of another version are rebuilt.
pub const VERSION: u32 = 1;
pub const KIND: &str = "user";

/// The schema of the user index.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STRING | FAST);
    builder.add_text_field("name_words", analysis::folded_words());
    builder.add_i64_field("created", INDEXED | FAST);
    builder.build()
}

fn field(schema: &Schema, name: &str) -> Field {
    schema
        .get_field(name)
        .expect("the user schema defines its fields")
}

/// The document of a user that is not deleted.
pub fn document(schema: &Schema, user: &User) -> TantivyDocument {
    let f = |name| field(schema, name);
    let mut doc = TantivyDocument::default();
    doc.add_text(f("id"), &user.id);
    doc.add_text(f("name_words"), &user.first_name);
    doc.add_text(f("name_words"), &user.last_name);
    doc.add_i64(f("created"), user.since);
    doc
}

/// Users whose name has every word of `q`, the last one maybe incomplete, newest first:
/// `/users/suggest/`.
pub fn suggest(index: &KindIndex, q: &str, size: usize) -> IndexResult<Vec<String>> {
    let Some(words) = typed_words(field(&index.schema, "name_words"), q) else {
        return Ok(Vec::new());
    };
    first_ids(
        index,
        &*words,
        Ranking::Number("created", Order::Desc),
        size,
    )
}
