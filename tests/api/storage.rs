//! The store itself: migrations in step, the change log written with every write.

use crate::both;
use crate::common::{Backend, TestApp};

#[test]
fn both_backends_know_the_same_migrations() {
    assert_eq!(
        plateau::store::sqlite::migration_versions(),
        plateau::store::postgres::migration_versions()
    );
}

async fn every_write_appends_to_the_change_log(backend: Backend) {
    let t = TestApp::new(backend).await;
    let (user, _) = t.user_with_key("Log", "Ged", false).await;
    let changes = t.store().changes_since(0, 100).await.unwrap();
    assert_eq!(changes.len(), 2, "create + api key update");
    assert_eq!(changes[0].kind, "user");
    assert_eq!(changes[0].object_id, user.id);
    assert_eq!(changes[0].op, "create");
    assert!(changes[1].seq > changes[0].seq);
    let later = t.store().changes_since(changes[0].seq, 100).await.unwrap();
    assert_eq!(later.len(), 1);
}

async fn reopening_a_store_keeps_data_and_migrates_once(backend: Backend) {
    if backend == Backend::Postgres {
        return reopen_postgres().await;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = plateau::store::Store::open(dir.path(), None).await.unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    drop(store);
    let store = plateau::store::Store::open(dir.path(), None).await.unwrap();
    assert!(store.changes_since(0, 10).await.unwrap().is_empty());
}

async fn reopen_postgres() {
    let (url, _guard) = crate::common::create_pg_database().await;
    let dir = tempfile::tempdir().unwrap();
    let first = plateau::store::Store::open(dir.path(), Some(&url))
        .await
        .unwrap();
    let second = plateau::store::Store::open(dir.path(), Some(&url))
        .await
        .unwrap();
    assert_eq!(second.backend_name(), "postgresql");
    drop(first);
    assert!(second.changes_since(0, 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_sqlite_store_removes_its_wal_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = plateau::store::Store::open(dir.path(), None).await.unwrap();
    // A read leaves a pooled read-only connection, which cannot remove the WAL if it closes last.
    store.changes_since(0, 10).await.unwrap();
    assert!(dir.path().join("plateau.db-wal").exists());
    drop(store);
    assert!(!dir.path().join("plateau.db-wal").exists());
}

both!(
    every_write_appends_to_the_change_log,
    reopening_a_store_keeps_data_and_migrates_once
);
