//! The OpenAPI 3.1 description of the JSON API, served at `/api/v1/openapi.json`. A test
//! checks that every route the router serves under `/api/v1` is described here.

/// The document.
pub const DOCUMENT: &str = include_str!("openapi.json");
