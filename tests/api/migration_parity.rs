//! `migrations/sqlite` and `migrations/postgres` must define the same tables and columns: the
//! store's one SQL text relies on it. Runs in the PostgreSQL pass, which has both engines.
use std::collections::{BTreeMap, BTreeSet};

use usher::config::Settings;
use usher::store::Store;

use crate::helpers::{TestDb, on_postgres};

type Schema = BTreeMap<String, BTreeSet<String>>;

async fn schema(store: &Store, sql: &'static str) -> Schema {
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(store.pool()).await.unwrap();
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().insert(column);
    }
    schema
}

#[tokio::test]
async fn both_migration_folders_define_the_same_tables_and_columns() {
    if !on_postgres() {
        eprintln!("migration parity is checked in the PostgreSQL pass (TEST_DATABASE=postgres)");
        return;
    }
    let sqlite_dir = tempfile::tempdir().unwrap();
    let mut sqlite = Settings::new(sqlite_dir.path());
    sqlite.database_url = Some(format!(
        "sqlite://{}?mode=rwc",
        sqlite_dir.path().join("parity.db").display()
    ));
    let sqlite = Store::connect(&sqlite).await.unwrap();
    let pg_db = TestDb::create().await;
    let mut postgres = Settings::new(sqlite_dir.path());
    postgres.database_url = pg_db.url.clone();
    let postgres = Store::connect(&postgres).await.unwrap();

    let on_sqlite = schema(
        &sqlite,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .await;
    let on_postgres = schema(
        &postgres,
        "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT)
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .await;
    assert!(on_sqlite.len() > 10, "{on_sqlite:?}");
    assert_eq!(on_sqlite, on_postgres);
}
