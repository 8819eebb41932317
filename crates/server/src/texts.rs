//! The bot's texts: the Bahasa Indonesia defaults from the domain crate, overridden by
//! what a superadmin saved (settings `text.<key>`). Kept in memory and swapped whole on
//! every edit, so rendering a reply never touches the database.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use wani_bares_domain::intake::Reply;
use wani_bares_domain::texts::{self, TextKey};
use wani_bares_store::{Conn, StoreError, settings};

/// A consistent set of texts.
#[derive(Clone, Default)]
pub struct Texts(Arc<HashMap<TextKey, String>>);

impl Texts {
    /// The template of a key.
    pub fn get(&self, key: TextKey) -> &str {
        self.0
            .get(&key)
            .map_or_else(|| key.default_text(), String::as_str)
    }

    /// A key rendered with parameters.
    pub fn render(&self, key: TextKey, params: &[(&str, &str)]) -> String {
        texts::render(self.get(key), params)
    }

    /// A whole intake reply rendered.
    pub fn reply(&self, reply: &Reply) -> String {
        reply.render(|k| self.get(k))
    }

    /// True when the superadmin changed this text.
    pub fn is_overridden(&self, key: TextKey) -> bool {
        self.0.contains_key(&key)
    }
}

/// The current texts, replaceable at run time.
#[derive(Default)]
pub struct TextCatalog {
    current: RwLock<Texts>,
}

impl TextCatalog {
    /// Loads the overrides from the database.
    pub async fn load(&self, c: &mut Conn<'_>) -> Result<(), StoreError> {
        let rows = settings::with_prefix(c, "text.").await?;
        let mut map = HashMap::new();
        for (key, value) in rows {
            if let Some(k) = key
                .strip_prefix("text.")
                .and_then(|k| TextKey::parse(k).ok())
            {
                map.insert(k, value);
            }
        }
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Texts(Arc::new(map));
        Ok(())
    }

    /// The texts now.
    pub fn snapshot(&self) -> Texts {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
