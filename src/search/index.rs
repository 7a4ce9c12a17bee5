//! One tantivy index on disk for one searchable kind: its writer, its reader, and the position
//! in the store's change log it reflects (saved in each commit's payload, so the index and its
//! position can never disagree).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use tantivy::merge_policy::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use super::analysis;
use super::cache::{FacetSetCache, ResultCache};
use super::clauses::{ClauseCache, RankedCache};
use super::tables::OrdTables;

/// Memory the writer may use before flushing segments (tantivy's floor is 15 MB per thread);
/// taken only while documents are being added.
const WRITER_MEMORY: usize = 192 * 1024 * 1024;
/// Memory the match sets of search clauses may hold (a set takes one bit per document: 122 KiB
/// at 1,000,000 documents).
const CLAUSE_CACHE_BYTES: usize = 96 * 1024 * 1024;
/// Memory the ranked best matches of recent searches' words may hold (64 KiB a word at most).
const RANKED_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// What a commit records besides the documents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Payload {
    /// Version of the kind's schema and document builder that wrote the index.
    version: u32,
    /// The last change-log sequence number applied.
    seq: i64,
    /// False while a rebuild is under way: such an index is rebuilt again at next start.
    complete: bool,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("search index {kind}: {message}")]
pub struct IndexError {
    pub kind: &'static str,
    pub message: String,
}

pub type IndexResult<T> = Result<T, IndexError>;

impl IndexError {
    /// A tantivy error in the index of `kind`.
    pub fn tantivy(kind: &'static str, e: tantivy::TantivyError) -> IndexError {
        IndexError {
            kind,
            message: e.to_string(),
        }
    }
}

/// A kind's index, open for reading and writing.
pub struct KindIndex {
    pub kind: &'static str,
    pub schema: Schema,
    /// The keyword columns facets count, as plain arrays (kept warm by the reader).
    pub tables: Arc<OrdTables>,
    /// Recent search results, valid while the index does not change.
    pub results: ResultCache,
    /// Facet counts of recent large match sets, valid while the index does not change.
    pub facet_sets: FacetSetCache,
    /// What the clauses of recent searches matched, per segment.
    pub clauses: Arc<ClauseCache>,
    /// The best matches of recent searches' words, ranked, per segment.
    pub ranked: Arc<RankedCache>,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    version: u32,
    dir: PathBuf,
    /// Change-log position of what searchers see.
    seq: AtomicI64,
    /// Commits since the index was opened: what kept results are valid for (the position may
    /// stay put across commits while an older sequence number is still open).
    generation: AtomicI64,
    /// Whether the index holds every object (false until a first build completes).
    ready: AtomicBool,
}

impl KindIndex {
    /// Opens the index under `dir`, or creates it empty. An index written by another version of
    /// the schema, or left half-built, is wiped: [`KindIndex::needs_rebuild`] then says so.
    /// `facet_fields` are the keyword fields whose values facets count.
    pub fn open(
        dir: &Path,
        kind: &'static str,
        schema: Schema,
        version: u32,
        facet_fields: &'static [&'static str],
    ) -> IndexResult<Self> {
        let err = |message: String| IndexError { kind, message };
        std::fs::create_dir_all(dir)
            .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
        let existing = Index::open_in_dir(dir).ok().filter(|index| {
            let payload = read_payload(index);
            payload.version == version && payload.complete && index.schema() == schema
        });
        let (index, ready) = match existing {
            Some(index) => (index, true),
            None => {
                wipe(dir).map_err(|e| err(format!("cannot clear {}: {e}", dir.display())))?;
                let index = Index::create_in_dir(dir, schema.clone())
                    .map_err(|e| err(format!("cannot create the index: {e}")))?;
                (index, false)
            }
        };
        analysis::register(&index);
        let seq = if ready { read_payload(&index).seq } else { 0 };
        let tables = OrdTables::new(facet_fields);
        let clauses = ClauseCache::new(CLAUSE_CACHE_BYTES);
        let ranked = RankedCache::new(RANKED_CACHE_BYTES);
        let warmers: [Arc<dyn tantivy::Warmer>; 3] =
            [tables.clone(), clauses.clone(), ranked.clone()];
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(warmers.iter().map(Arc::downgrade).collect())
            .try_into()
            .map_err(|e| err(format!("cannot open a reader: {e}")))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let writer = index
            .writer_with_num_threads(threads, WRITER_MEMORY)
            .map_err(|e| {
                err(format!(
                    "cannot open the writer (is another server using this data dir?): {e}"
                ))
            })?;
        Ok(KindIndex {
            kind,
            schema,
            tables,
            results: ResultCache::default(),
            facet_sets: FacetSetCache::default(),
            clauses,
            ranked,
            reader,
            writer: Mutex::new(writer),
            version,
            dir: dir.to_owned(),
            seq: AtomicI64::new(seq),
            generation: AtomicI64::new(0),
            ready: AtomicBool::new(ready),
        })
    }

    fn err(&self, message: impl std::fmt::Display) -> IndexError {
        IndexError {
            kind: self.kind,
            message: message.to_string(),
        }
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The change-log position searchers see.
    pub fn seq(&self) -> i64 {
        self.seq.load(Ordering::Acquire)
    }

    /// Changes whenever searchers may see other documents: the key of kept search results.
    /// Read it before taking a searcher.
    pub fn generation(&self) -> i64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether every object is in the index (a first build or a rebuild has completed).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    pub fn needs_rebuild(&self) -> bool {
        !self.is_ready()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces the documents of `id` (the keyword field every kind has) by `doc`, or
    /// removes them when `doc` is `None`.
    pub fn put(&self, id: &str, doc: Option<TantivyDocument>) -> IndexResult<()> {
        let field = self.schema.get_field("id").map_err(|e| self.err(e))?;
        let writer = self.writer.lock();
        writer.delete_term(Term::from_field_text(field, id));
        if let Some(doc) = doc {
            writer.add_document(doc).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Starts a rebuild: every document goes (searchers keep seeing the old ones until the
    /// rebuild's first commit).
    pub fn begin_rebuild(&self) -> IndexResult<()> {
        self.ready.store(false, Ordering::Release);
        let writer = self.writer.lock();
        // Segments are merged once, at the end (see `merge_segments`).
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer.delete_all_documents().map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Commits what was put since the last commit, recording `seq`, and makes it visible.
    /// `finish_rebuild` marks the index complete.
    pub fn commit(&self, seq: i64, finish_rebuild: bool) -> IndexResult<()> {
        let complete = self.is_ready() || finish_rebuild;
        let payload = serde_json::to_string(&Payload {
            version: self.version,
            seq,
            complete,
        })
        .expect("payload serializes");
        {
            let mut writer = self.writer.lock();
            let mut prepared = writer.prepare_commit().map_err(|e| self.err(e))?;
            prepared.set_payload(&payload);
            prepared.commit().map_err(|e| self.err(e))?;
        }
        self.reader.reload().map_err(|e| self.err(e))?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.seq.store(seq, Ordering::Release);
        if finish_rebuild {
            self.ready.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// Merges every segment into one, then shows it to searchers (the old segments serve
    /// until then), and lets the writer merge as usual again: a search then sets up one
    /// segment instead of several.
    pub fn merge_segments(&self) -> IndexResult<()> {
        let merged = (|| {
            let ids = self.writer.lock().index().searchable_segment_ids()?;
            if ids.len() > 1 {
                let merge = self.writer.lock().merge(&ids);
                merge.wait()?;
                self.reader.reload()?;
                self.generation.fetch_add(1, Ordering::AcqRel);
            }
            Ok::<_, tantivy::TantivyError>(())
        })();
        self.writer
            .lock()
            .set_merge_policy(Box::new(LogMergePolicy::default()));
        merged.map_err(|e| self.err(e))
    }
}

fn read_payload(index: &Index) -> Payload {
    index
        .load_metas()
        .ok()
        .and_then(|metas| metas.payload)
        .and_then(|payload| serde_json::from_str(&payload).ok())
        .unwrap_or_default()
}

/// Removes the files of an index directory (the directory stays).
fn wipe(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}
