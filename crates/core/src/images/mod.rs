//! Images: list, remove and prune; pull and push with folded progress; search Docker Hub and
//! private registries; details and layers; save, load and commit.

mod archive;
mod commit;
mod details;
mod explain;
mod list;
mod model;
mod progress;
pub mod reference;
mod search;
mod transfer;

pub use archive::{load, save};
pub use commit::commit;
pub use details::details;
pub use list::{list, names, prune, prune_estimate, remove, tag};
pub use model::*;
pub use reference::{parse_docker_ref, Reference};
pub use search::{registry_repositories, registry_tags, search_hub};
pub use transfer::{pull, pull_as, push};

use crate::error::Error;

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

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_reference_is_shortened_on_a_character_boundary() {
        let err = super::normalize(&"é".repeat(200)).unwrap_err().to_string();
        assert!(err.contains(&format!("“{}…”", "é".repeat(60))), "{err}");
    }
}
