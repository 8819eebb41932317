//! `on_conn!`: runs the same query code on whichever backend a [`crate::Conn`] holds. The
//! body is type-checked once per backend, so a type that only one of them supports is a
//! compile error, not a runtime surprise.

/// `on_conn!(conn, c => body)`: inside `body`, `c` is `&mut SqliteConnection` or
/// `&mut PgConnection`.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match &mut $conn.db {
            $crate::db::DbConn::Sqlite($c) => {
                let $c = &mut **$c;
                $body
            }
            $crate::db::DbConn::Pg($c) => {
                let $c = &mut **$c;
                $body
            }
        }
    };
}
