//! Images: list, remove and prune; pull and push with folded progress; search Docker Hub and
//! private registries; details and layers; save, load and commit.

mod archive;
mod commit;
mod details;
mod explain;
mod list;
mod model;
mod progress;
mod search;
mod transfer;

pub use crate::reference::{parse_docker_ref, Reference};
pub use archive::{load, save, ArchiveEvent};
pub use commit::commit;
pub use details::details;
pub use list::{list, names, prune, prune_estimate, remove, tag};
pub use model::*;
pub use search::{registry_repositories, registry_tags, search_hub};
pub use transfer::{pull, pull_as, pull_quietly, push};

use crate::error::Error;
use crate::reference;
use serde::Serialize;

/// A user-typed reference, normalised as `docker pull` does, or a sentence saying what is wrong.
pub fn normalize(input: &str) -> Result<Reference, Error> {
    reference::parse_docker_ref(input).map_err(|e| {
        let shown = match input.char_indices().nth(60) {
            Some((cut, _)) => format!("{}…", &input[..cut]),
            None => input.to_string(),
        };
        let why = match e {
            reference::RefError::InvalidFormat => reference::diagnose(input).unwrap_or_else(|| e.to_string()),
            e => e.to_string(),
        };
        Error::invalid("reference", format!("“{shown}” is not a valid image reference. {why}"))
    })
}

/// A typed reference as the pull dialog shows it: what would be pulled, and its short form.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct NormalizedReference {
    pub normalized: String,
    pub familiar: String,
}

/// [`normalize`] for the pull dialog's live check.
pub fn normalized(input: &str) -> Result<NormalizedReference, Error> {
    let r = normalize(input)?;
    Ok(NormalizedReference { normalized: r.to_string(), familiar: r.familiar() })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reference_is_shown_normalized_and_short() {
        let r = super::normalized("nginx").unwrap();
        assert_eq!((r.normalized.as_str(), r.familiar.as_str()), ("docker.io/library/nginx:latest", "nginx:latest"));
    }

    #[test]
    fn a_long_reference_is_shortened_on_a_character_boundary() {
        let err = super::normalize(&"é".repeat(200)).unwrap_err().to_string();
        assert!(err.contains(&format!("“{}…”", "é".repeat(60))), "{err}");
    }
}
