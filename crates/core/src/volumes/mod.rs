//! Volumes: list (with their users, compose project and size), create, inspect, remove, prune,
//! and browse their files read-only.

mod browse;
mod list;
mod manage;
mod model;

pub use browse::{browse, remove_stale_helpers};
pub use list::{list, measure};
pub use manage::{create, inspect, prune, prune_estimate, remove};
pub use model::*;

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// The engine's rule for volume and network names (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`), checked before
/// asking so that the dialog can say what is wrong with the field.
pub(crate) fn check_name(field: &'static str, kind: &str, name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if name.len() >= 2 && first_ok && rest_ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("“{name}” cannot name a {kind}: use two or more letters, digits, “_”, “.” or “-”, starting with a letter or digit."),
        ))
    }
}

/// Labels and driver options need keys without spaces; `field` names the form field.
pub(crate) fn check_keys(field: &'static str, what: &str, map: &BTreeMap<String, String>) -> Result<()> {
    match map.keys().find(|k| k.trim().is_empty() || k.contains(char::is_whitespace)) {
        Some(k) => Err(Error::invalid(field, format!("“{k}” cannot be a {what} name: write key=value, the key without spaces."))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_follow_the_engine_rule() {
        assert!(super::check_name("name", "volume", "db-data_1.x").is_ok());
        for bad in ["", "a", "-db", "my volume", "ü1"] {
            let e = super::check_name("name", "volume", bad).unwrap_err();
            assert_eq!(e.field(), Some("name"), "{bad}");
        }
    }

    #[test]
    fn keys_have_no_spaces() {
        let map = |k: &str| std::collections::BTreeMap::from([(k.to_string(), "v".to_string())]);
        assert!(super::check_keys("labels", "label", &map("com.example.team")).is_ok());
        let e = super::check_keys("labels", "label", &map("my team")).unwrap_err();
        assert_eq!(
            (e.field(), e.to_string().as_str()),
            (Some("labels"), "“my team” cannot be a label name: write key=value, the key without spaces.")
        );
    }
}
