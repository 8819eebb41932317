//! The store's one error type. Constraint violations are mapped to domain-meaningful
//! variants in one place ([`StoreError::from_sqlx`]) so callers branch on them instead of
//! parsing database messages.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint was violated; carries the constraint or index name when the
    /// backend reports it.
    #[error("already exists ({0})")]
    Conflict(String),
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The database URL or options are unusable.
    #[error("invalid database configuration: {0}")]
    Config(String),
    /// Sealed data could not be opened or keys could not be loaded.
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    /// A stored value does not parse (e.g. an unknown enum string).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Schema migration failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Filesystem error (media store, backup).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(sqlx::Error),
}

impl StoreError {
    /// Maps a sqlx error: unique violations become [`StoreError::Conflict`], a missing row
    /// becomes [`StoreError::NotFound`].
    pub fn from_sqlx(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            _ => StoreError::Db(err),
        }
    }

    /// True when the error is a unique-constraint conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from_sqlx(err)
    }
}
