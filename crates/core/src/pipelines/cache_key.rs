//! Turning a [`CacheKey`] into the key a cache is stored under, as the runner does.

use super::expand::expand;
use super::git::git;
use super::model::CacheKey;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

impl CacheKey {
    /// The key for a job whose final environment is `env` (see
    /// [`environment`](super::expand::environment)), in the project at `root`.
    /// `key:files` hashes the last commit that changed each file (GitLab's rule); files
    /// git does not know give `default`, as on GitLab. `/` cannot be in a key (GitLab rejects
    /// it), so it is replaced by `-`.
    pub fn resolve(&self, root: &Path, env: &HashMap<String, String>) -> String {
        let look = |k: &str| env.get(k).cloned();
        let key = match self {
            CacheKey::Text { text } => expand(text, look),
            CacheKey::Files { files, prefix } => {
                let commits: Vec<String> = files
                    .iter()
                    .filter_map(|f| git(root, &["log", "-1", "--format=%H", "--", &expand(f, look)]))
                    .filter(|c| !c.is_empty())
                    .collect();
                let hash = if commits.is_empty() {
                    "default".to_string()
                } else {
                    hex::encode(Sha256::digest(commits.join("\n")))[..40].to_string()
                };
                match prefix {
                    Some(p) => format!("{}-{hash}", expand(p, look)),
                    None => hash,
                }
            }
        };
        let key = key.replace('/', "-");
        if key.is_empty() || key == "." || key == ".." {
            "default".to_string()
        } else {
            key
        }
    }
}
