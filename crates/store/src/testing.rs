//! Helpers for tests that need a fresh database: a new SQLite file in a temp dir, or a new
//! PostgreSQL database created next to the one `WANI_BARES_TEST_POSTGRES_URL` names.

use sqlx::Connection;

use crate::StoreError;

/// The environment variable naming the PostgreSQL server for tests. When it is set,
/// PostgreSQL tests are required: a failure to connect fails the test.
pub const POSTGRES_ENV: &str = "WANI_BARES_TEST_POSTGRES_URL";

/// The base URL from [`POSTGRES_ENV`], if set and non-empty.
pub fn postgres_base_url() -> Option<String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// Replaces the database name in a PostgreSQL URL.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_and_path = &base[scheme_end..];
    let host = host_and_path.split('/').next().unwrap_or(host_and_path);
    let mut out = format!("{}{}/{}", &base[..scheme_end], host, db);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Creates a new, empty database on the server of `base_url` and returns its URL.
pub async fn fresh_postgres_database(base_url: &str) -> Result<String, StoreError> {
    let name = format!("wb_test_{}", hex::encode(rand::random::<[u8; 6]>()));
    let mut conn = sqlx::PgConnection::connect(base_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(with_database(base_url, &name))
}

/// Drops a database made by [`fresh_postgres_database`] (best effort).
pub async fn drop_postgres_database(base_url: &str, url: &str) {
    let Some(name) = url
        .rsplit('/')
        .next()
        .map(|s| s.split('?').next().unwrap_or(s))
    else {
        return;
    };
    if !name.starts_with("wb_test_") {
        return;
    }
    if let Ok(mut conn) = sqlx::PgConnection::connect(base_url).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await;
        let _ = conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_name_is_replaced_and_the_query_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "y"),
            "postgres://u:p@h/y?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h:1", "z"), "postgres://h:1/z");
    }
}
