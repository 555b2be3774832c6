//! An engine's pull or push failure, said plainly.

use crate::error::Error;
use crate::registry::{is_network_failure, unreachable};

/// An engine's pull/push failure about `reference` on `registry`, said plainly.
pub(crate) fn explain(message: &str, registry: &str, reference: &str, had_credentials: bool) -> Error {
    let m = message.to_lowercase();
    let detail = message.to_string();
    let text = if is_network_failure(&m) {
        return unreachable(registry, message);
    } else if m.contains("does not exist locally") || m.contains("no such image") {
        format!("There is no local image {reference} to push: tag an image with that name first.")
    } else if m.contains("unauthorized")
        || m.contains("authentication required")
        || m.contains("no basic auth")
        || m.contains("incorrect username")
    {
        if had_credentials {
            format!("The registry {registry} did not accept the saved user name and password (401). Log in again with the right ones.")
        } else {
            format!("The registry {registry} requires a login: log in to it in Registries first.")
        }
    } else if m.contains("manifest unknown")
        || m.contains("not found")
        || m.contains("name unknown")
        || m.contains("repository does not exist")
    {
        format!("{reference} does not exist on {registry}: check the repository name and tag.")
    } else if m.contains("denied") || m.contains("forbidden") {
        format!("The registry {registry} denied access to {reference} (403): your account may not use this repository.")
    } else {
        let mut s = message.trim().to_string();
        if !s.ends_with('.') {
            s.push('.');
        }
        format!("The registry {registry} refused: {s}")
    };
    Error::Registry { message: text, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_failures_become_sentences() {
        let e = explain(
            "Get \"http://127.0.0.1:5999/v2/\": dial tcp 127.0.0.1:5999: connect: connection refused",
            "127.0.0.1:5999",
            "x",
            false,
        );
        assert!(e.to_string().starts_with("Cannot reach the registry 127.0.0.1:5999."), "{e}");
        let e = explain("unauthorized: authentication required", "r", "r/a:1", true);
        assert!(e.to_string().contains("did not accept"), "{e}");
        let e = explain("manifest for r/a:2 not found: manifest unknown: manifest unknown", "r", "r/a:2", true);
        assert!(e.to_string().contains("does not exist on r"), "{e}");
    }
}
