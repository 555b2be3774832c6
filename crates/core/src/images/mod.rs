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
pub use transfer::{pull, push};

use crate::error::Error;

/// A user-typed reference, normalised as `docker pull` does, or a sentence saying what is wrong.
pub fn normalize(input: &str) -> Result<Reference, Error> {
    reference::parse_docker_ref(input).map_err(|e| {
        let shown = if input.len() > 60 { format!("{}…", &input[..60]) } else { input.to_string() };
        Error::invalid("reference", format!("“{shown}” is not a valid image reference. {e}"))
    })
}
