//! The media store: files (KTP photos, evidence, generated reports) kept encrypted at rest
//! in a local directory, `<data dir>/media/<2 hex>/<32 hex>.bin`.
//!
//! Storage keys are generated here (random 128-bit hex), never taken from a file name a
//! citizen sent, so a path cannot escape the directory; [`MediaStore::get`] refuses any
//! key that is not 32 hex digits. Writes are atomic and durable (temp file, fsync, rename,
//! fsync of the directory).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::StoreError;
use crate::vault::Vault;

/// Encrypted file storage.
#[derive(Clone, Debug)]
pub struct MediaStore {
    root: PathBuf,
    vault: Arc<Vault>,
}

impl MediaStore {
    /// A media store under `<data_dir>/media`.
    pub fn new(data_dir: &Path, vault: Arc<Vault>) -> Self {
        MediaStore {
            root: data_dir.join("media"),
            vault,
        }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        if key.len() != 32
            || !key
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        {
            return Err(StoreError::NotFound);
        }
        Ok(self.root.join(&key[..2]).join(format!("{key}.bin")))
    }

    /// Seals and stores `bytes`; returns the storage key.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, StoreError> {
        let key = hex::encode(rand::random::<[u8; 16]>());
        let path = self.path_of(&key)?;
        let sealed = self.vault.seal(bytes);
        tokio::task::spawn_blocking(move || write_durably(&path, &sealed))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok(key)
    }

    /// Reads and opens a stored file.
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.path_of(key)?;
        let sealed = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(e.into()),
        };
        Ok(self.vault.open(&sealed)?)
    }

    /// Deletes a stored file (purge of KTP photos, erasure). Missing files are fine.
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Re-seals a stored file with the vault's current key (key rotation).
    pub async fn reseal(&self, key: &str) -> Result<(), StoreError> {
        let bytes = self.get(key).await?;
        let path = self.path_of(key)?;
        let sealed = self.vault.seal(&bytes);
        tokio::task::spawn_blocking(move || write_durably(&path, &sealed))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        Ok(())
    }

    /// The directory holding the files.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stored_file_round_trips_and_is_not_in_clear_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), Arc::new(Vault::ephemeral()));
        let secret = b"JFIF-ktp-photo-bytes-0123456789".repeat(10);
        let key = media.put(&secret).await.unwrap();
        assert_eq!(media.get(&key).await.unwrap(), secret);
        let on_disk = std::fs::read(media.path_of(&key).unwrap()).unwrap();
        assert!(!on_disk.windows(20).any(|w| w == &secret[..20]));
        media.delete(&key).await.unwrap();
        assert!(matches!(media.get(&key).await, Err(StoreError::NotFound)));
    }

    #[tokio::test]
    async fn a_key_that_could_escape_the_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let media = MediaStore::new(dir.path(), Arc::new(Vault::ephemeral()));
        for key in [
            "../../etc/passwd",
            "..",
            "",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "/abs",
        ] {
            assert!(
                matches!(media.get(key).await, Err(StoreError::NotFound)),
                "{key}"
            );
        }
    }
}
