//! The vault: sealing of personal data at rest (UU 27/2022) with XChaCha20-Poly1305.
//!
//! A sealed value is `[1][key id: u32 BE][nonce: 24 bytes][ciphertext + tag]`. Random
//! 24-byte nonces are safe to generate per message with XChaCha20. Keys live in a keyring:
//! from `WANI_BARES_MASTER_KEY` (one base64 or hex key, or `id:key,id:key,…`), otherwise
//! from `<data dir>/keys/master.key`, created with mode 0600 on first start, one
//! `id:base64` line per key. The last key seals; every key opens, so a rotation appends a
//! key and re-seals data in the background without a flag day.

use std::fmt;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::Mac;
use sha2::Sha256;

const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 24;

/// Errors of the vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The sealed bytes are too short or of an unknown version.
    #[error("sealed value is malformed")]
    Malformed,
    /// The key that sealed this value is not in the keyring.
    #[error("sealed with key {0}, which is not in the keyring")]
    UnknownKey(u32),
    /// Authentication failed: wrong key or tampered data.
    #[error("sealed value failed authentication")]
    Tampered,
    /// The key material is unusable.
    #[error("invalid master key: {0}")]
    InvalidKey(String),
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

struct KeyEntry {
    id: u32,
    cipher: XChaCha20Poly1305,
    mac_key: [u8; 32],
}

/// Seals and opens personal data. `Debug` never shows key material.
pub struct Vault {
    keys: Vec<KeyEntry>,
    source: Option<PathBuf>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field(
                "key_ids",
                &self.keys.iter().map(|k| k.id).collect::<Vec<_>>(),
            )
            .field("keys", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn decode_key(text: &str) -> Result<[u8; 32], VaultError> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text).map_err(|e| VaultError::InvalidKey(e.to_string()))?
    } else {
        B64.decode(text)
            .map_err(|_| VaultError::InvalidKey("not base64 or 64 hex digits".into()))?
    };
    bytes
        .try_into()
        .map_err(|_| VaultError::InvalidKey("a key must be exactly 32 bytes".into()))
}

fn parse_keyring(text: &str) -> Result<Vec<(u32, [u8; 32])>, VaultError> {
    let mut keys = Vec::new();
    for item in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if item.starts_with('#') {
            continue;
        }
        match item.split_once(':') {
            Some((id, key)) => {
                let id: u32 = id
                    .trim()
                    .parse()
                    .map_err(|_| VaultError::InvalidKey(format!("bad key id {id:?}")))?;
                keys.push((id, decode_key(key)?));
            }
            None => keys.push((1, decode_key(item)?)),
        }
    }
    if keys.is_empty() {
        return Err(VaultError::InvalidKey("no key found".into()));
    }
    let mut ids: Vec<u32> = keys.iter().map(|k| k.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() != keys.len() {
        return Err(VaultError::InvalidKey("duplicate key id".into()));
    }
    Ok(keys)
}

impl Vault {
    /// A vault from explicit keys; the last one seals.
    pub fn from_keys(keys: &[(u32, [u8; 32])]) -> Result<Vault, VaultError> {
        if keys.is_empty() {
            return Err(VaultError::InvalidKey("no key".into()));
        }
        let keys = keys
            .iter()
            .map(|(id, key)| {
                let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key)
                    .map_err(|e| VaultError::InvalidKey(e.to_string()))?;
                mac.update(b"wani-bares keyed hash v1");
                let mac_key: [u8; 32] = mac.finalize().into_bytes().into();
                Ok(KeyEntry {
                    id: *id,
                    cipher: XChaCha20Poly1305::new(&Key::from(*key)),
                    mac_key,
                })
            })
            .collect::<Result<Vec<_>, VaultError>>()?;
        Ok(Vault { keys, source: None })
    }

    /// A vault with one fresh random key, for tests and throwaway stores.
    pub fn ephemeral() -> Vault {
        let key: [u8; 32] = Key::generate().into();
        Vault::from_keys(&[(1, key)]).unwrap_or_else(|_| unreachable!("a fresh key is valid"))
    }

    /// Loads the keyring: `master_key` (the `WANI_BARES_MASTER_KEY` value) when given,
    /// otherwise `<data_dir>/keys/master.key`, created with mode 0600 when missing.
    pub fn load_or_create(data_dir: &Path, master_key: Option<&str>) -> Result<Vault, VaultError> {
        if let Some(text) = master_key {
            return Vault::from_keys(&parse_keyring(text)?);
        }
        let path = Vault::key_file(data_dir);
        let io = |source| VaultError::Io {
            path: path.clone(),
            source,
        };
        if !path.exists() {
            let dir = path.parent().unwrap_or(data_dir);
            std::fs::create_dir_all(dir).map_err(io)?;
            set_mode(dir, 0o700).map_err(io)?;
            let key: [u8; 32] = Key::generate().into();
            write_private(&path, &format!("1:{}\n", B64.encode(key))).map_err(io)?;
        }
        let text = std::fs::read_to_string(&path).map_err(io)?;
        let mut vault = Vault::from_keys(&parse_keyring(&text)?)?;
        vault.source = Some(path);
        Ok(vault)
    }

    /// Where the key file lives inside a data dir.
    pub fn key_file(data_dir: &Path) -> PathBuf {
        data_dir.join("keys").join("master.key")
    }

    /// Appends a new random key to the key file and returns its id. The running process
    /// must reload the vault; data sealed with older keys stays readable.
    pub fn add_key_to_file(data_dir: &Path) -> Result<u32, VaultError> {
        let path = Vault::key_file(data_dir);
        let io = |source| VaultError::Io {
            path: path.clone(),
            source,
        };
        let text = std::fs::read_to_string(&path).map_err(io)?;
        let keys = parse_keyring(&text)?;
        let id = keys.iter().map(|k| k.0).max().unwrap_or(0) + 1;
        let key: [u8; 32] = Key::generate().into();
        let mut text = text;
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let _ = writeln!(text, "{id}:{}", B64.encode(key));
        write_private(&path, &text).map_err(io)?;
        Ok(id)
    }

    /// The id of the key that seals new values.
    pub fn current_key_id(&self) -> u32 {
        self.keys.last().map_or(0, |k| k.id)
    }

    /// The key file this vault was loaded from, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    fn current(&self) -> &KeyEntry {
        self.keys
            .last()
            .unwrap_or_else(|| unreachable!("a vault always has a key"))
    }

    /// Seals `plaintext` with the current key.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let key = self.current();
        let nonce = XNonce::generate();
        let ciphertext = key
            .cipher
            .encrypt(&nonce, plaintext)
            .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 encryption cannot fail"));
        let mut out = Vec::with_capacity(HEADER + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&key.id.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Opens a value sealed by any key of the keyring.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if sealed.len() < HEADER + 16 || sealed[0] != VERSION {
            return Err(VaultError::Malformed);
        }
        let id = u32::from_be_bytes([sealed[1], sealed[2], sealed[3], sealed[4]]);
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or(VaultError::UnknownKey(id))?;
        let nonce = XNonce::try_from(&sealed[5..HEADER]).map_err(|_| VaultError::Malformed)?;
        key.cipher
            .decrypt(&nonce, &sealed[HEADER..])
            .map_err(|_| VaultError::Tampered)
    }

    /// The key id a sealed value was sealed with.
    pub fn sealed_key_id(sealed: &[u8]) -> Option<u32> {
        (sealed.len() >= HEADER && sealed[0] == VERSION)
            .then(|| u32::from_be_bytes([sealed[1], sealed[2], sealed[3], sealed[4]]))
    }

    /// Seals a UTF-8 string.
    pub fn seal_str(&self, text: &str) -> Vec<u8> {
        self.seal(text.as_bytes())
    }

    /// Opens a sealed UTF-8 string.
    pub fn open_str(&self, sealed: &[u8]) -> Result<String, VaultError> {
        String::from_utf8(self.open(sealed)?).map_err(|_| VaultError::Malformed)
    }

    /// A keyed hash (HMAC-SHA256 under a key derived from the first key) for lookups over
    /// sealed values without revealing them. Stable across rotations.
    pub fn keyed_hash(&self, data: &[u8]) -> String {
        let first = self
            .keys
            .first()
            .unwrap_or_else(|| unreachable!("a vault always has a key"));
        let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&first.mac_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
    }
    set_mode(&tmp, 0o600)?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_and_hides_its_plaintext() {
        let vault = Vault::ephemeral();
        let sealed = vault.seal(b"3520014108900001");
        assert!(!sealed.windows(16).any(|w| w == b"3520014108900001"));
        assert_eq!(vault.open(&sealed).unwrap(), b"3520014108900001");
    }

    #[test]
    fn a_tampered_value_is_refused() {
        let vault = Vault::ephemeral();
        let mut sealed = vault.seal(b"hello");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(vault.open(&sealed), Err(VaultError::Tampered)));
        assert!(matches!(vault.open(b"short"), Err(VaultError::Malformed)));
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Vault::load_or_create(dir.path(), None).unwrap();
        let sealed = a.seal(b"x");
        let b = Vault::load_or_create(dir.path(), None).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(Vault::key_file(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_rotated_keyring_seals_with_the_new_key_and_opens_old_values() {
        let dir = tempfile::tempdir().unwrap();
        let old = Vault::load_or_create(dir.path(), None).unwrap();
        let sealed = old.seal(b"old");
        let id = Vault::add_key_to_file(dir.path()).unwrap();
        let new = Vault::load_or_create(dir.path(), None).unwrap();
        assert_eq!(new.current_key_id(), id);
        assert_eq!(new.open(&sealed).unwrap(), b"old");
        assert_eq!(Vault::sealed_key_id(&new.seal(b"n")), Some(id));
        assert_eq!(old.keyed_hash(b"k"), new.keyed_hash(b"k"));
    }

    #[test]
    fn an_environment_key_is_accepted_in_base64_or_hex_and_bad_ones_are_named() {
        let hex_key = "11".repeat(32);
        assert!(Vault::load_or_create(Path::new("/nonexistent"), Some(&hex_key)).is_ok());
        let b64 = B64.encode([7u8; 32]);
        assert!(Vault::load_or_create(Path::new("/nonexistent"), Some(&b64)).is_ok());
        let err = Vault::load_or_create(Path::new("/nonexistent"), Some("short")).unwrap_err();
        assert!(matches!(err, VaultError::InvalidKey(_)));
        assert!(!format!("{:?}", Vault::ephemeral()).contains(&hex_key));
    }
}
