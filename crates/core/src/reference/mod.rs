//! Image references, parsed and normalised exactly as the docker CLI does (distribution/reference):
//! `ubuntu` is `docker.io/library/ubuntu:latest`, `localhost:5000/app@sha256:…` keeps its registry
//! and digest, uppercase repositories and over-long names are refused with a precise sentence.

use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

pub const DEFAULT_DOMAIN: &str = "docker.io";
const LEGACY_DEFAULT_DOMAIN: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
/// The longest a repository path (registry excluded) may be.
pub const NAME_MAX: usize = 255;

const DOMAIN_AND_PORT: &str = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?";
const REMOTE_NAME: &str = r"[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*";
const TAG: &str = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST: &str = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";

fn anchored(pattern: String) -> Regex {
    Regex::new(&format!("^{pattern}$")).expect("reference grammar compiles")
}

/// The grammar's expressions, anchored; public for the conformance tests.
pub mod grammar {
    use super::*;
    pub static DOMAIN: LazyLock<Regex> = LazyLock::new(|| anchored(DOMAIN_AND_PORT.into()));
    pub static NAME: LazyLock<Regex> = LazyLock::new(|| anchored(format!("(?:({DOMAIN_AND_PORT})/)?({REMOTE_NAME})")));
    pub static REFERENCE: LazyLock<Regex> =
        LazyLock::new(|| anchored(format!("((?:{DOMAIN_AND_PORT}/)?{REMOTE_NAME})(?::({TAG}))?(?:@({DIGEST}))?")));
    pub static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| anchored("[a-f0-9]{64}".into()));
    pub(super) static TAG_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(TAG.into()));
    pub(super) static DIGEST_ONLY: LazyLock<Regex> = LazyLock::new(|| anchored(DIGEST.into()));
}

/// Why a reference is invalid. `Display` is a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefError {
    Empty,
    InvalidFormat,
    ContainsUppercase,
    /// ParseNormalizedNamed: the repository part is not lowercase.
    RepositoryNotLowercase(String),
    TooLong(usize),
    NotCanonical,
    TagInvalid,
    DigestInvalidFormat,
    DigestInvalidLength,
    DigestUnsupported,
    /// A 64-hex string where a name is wanted.
    HexName,
    NoName,
    /// A malformed glob in a reference filter.
    BadPattern,
}

impl RefError {
    /// distribution/reference's own name for the error, for the conformance tables.
    pub fn go_name(&self) -> &'static str {
        match self {
            RefError::Empty => "ErrNameEmpty",
            RefError::InvalidFormat | RefError::RepositoryNotLowercase(_) | RefError::HexName | RefError::NoName => {
                "ErrReferenceInvalidFormat"
            }
            RefError::ContainsUppercase => "ErrNameContainsUppercase",
            RefError::TooLong(_) => "ErrNameTooLong",
            RefError::NotCanonical => "ErrNameNotCanonical",
            RefError::TagInvalid => "ErrTagInvalidFormat",
            RefError::BadPattern => "path.ErrBadPattern",
            RefError::DigestInvalidFormat => "digest.ErrDigestInvalidFormat",
            RefError::DigestInvalidLength => "digest.ErrDigestInvalidLength",
            RefError::DigestUnsupported => "digest.ErrDigestUnsupported",
        }
    }
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            RefError::Empty => "Enter an image reference, such as ubuntu or registry.example.com/team/app:1.0.".into(),
            RefError::InvalidFormat => "Write it as name[:tag][@digest]: a name of lowercase letters, digits and '.', '_' or '-' between them, parts separated by '/'.".into(),
            RefError::ContainsUppercase | RefError::RepositoryNotLowercase(_) => {
                "Repository names must be lowercase (a registry host or a tag may use capitals).".into()
            }
            RefError::TooLong(n) => format!("The repository name is {n} characters long; the limit is {NAME_MAX}."),
            RefError::NotCanonical => "Give the full reference, registry included (e.g. docker.io/library/ubuntu).".into(),
            RefError::TagInvalid => format!("The tag is invalid: {TAG_RULE}"),
            RefError::DigestInvalidFormat => "The digest is invalid: it looks like sha256: followed by 64 lowercase hex digits.".into(),
            RefError::DigestInvalidLength => "The digest has the wrong length for its algorithm (sha256 needs 64 hex digits).".into(),
            RefError::DigestUnsupported => "The digest algorithm is not supported; use sha256, sha384 or sha512.".into(),
            RefError::HexName => "A 64-character hex string is an image ID, not a repository name.".into(),
            RefError::NoName => "The reference has no repository name.".into(),
            RefError::BadPattern => "The filter pattern is malformed (check its [ ] classes and \\ escapes).".into(),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for RefError {}

/// A parsed reference. `domain` is empty only for [`parse`] of a name with no registry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// `domain/path` (or just `path`).
    pub fn name(&self) -> String {
        if self.domain.is_empty() {
            self.path.clone()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// The short form users type: `ubuntu:latest`, `user/app`, `localhost:5000/app`.
    pub fn familiar(&self) -> String {
        let mut path = self.path.as_str();
        let mut name = self.name();
        if self.domain == DEFAULT_DOMAIN {
            if let Some(rest) = path.strip_prefix(OFFICIAL_PREFIX).filter(|r| !r.contains('/')) {
                path = rest;
            }
            name = path.to_string();
        }
        self.suffixed(name)
    }

    fn suffixed(&self, mut s: String) -> String {
        if let Some(tag) = &self.tag {
            s.push(':');
            s.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            s.push('@');
            s.push_str(digest);
        }
        s
    }

    /// The registry host to talk to for this reference.
    pub fn registry(&self) -> &str {
        &self.domain
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.suffixed(self.name()))
    }
}

/// Parse without normalising (distribution's `Parse`).
pub fn parse(s: &str) -> Result<Reference, RefError> {
    let Some(caps) = grammar::REFERENCE.captures(s) else {
        if s.is_empty() {
            return Err(RefError::Empty);
        }
        if grammar::REFERENCE.is_match(&s.to_lowercase()) {
            return Err(RefError::ContainsUppercase);
        }
        return Err(RefError::InvalidFormat);
    };
    let (domain, path) = split_name(&caps[1]);
    if path.len() > NAME_MAX {
        return Err(RefError::TooLong(path.len()));
    }
    let digest = caps.get(3).map(|d| validate_digest(d.as_str())).transpose()?;
    Ok(Reference { domain, path, tag: caps.get(2).map(|t| t.as_str().to_string()), digest })
}

fn split_name(name: &str) -> (String, String) {
    match grammar::NAME.captures(name) {
        Some(c) => (c.get(1).map_or("", |d| d.as_str()).to_string(), c[2].to_string()),
        None => (String::new(), name.to_string()),
    }
}

/// go-digest's validation: known algorithms with their exact lowercase-hex length.
pub fn validate_digest(d: &str) -> Result<String, RefError> {
    let Some((algorithm, encoded)) = d.split_once(':').filter(|(a, e)| !a.is_empty() && !e.is_empty()) else {
        return Err(RefError::DigestInvalidFormat);
    };
    let hex_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ if grammar::DIGEST_ONLY.is_match(d) => return Err(RefError::DigestUnsupported),
        _ => return Err(RefError::DigestInvalidFormat),
    };
    if encoded.len() != hex_len {
        return Err(RefError::DigestInvalidLength);
    }
    if !encoded.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(RefError::DigestInvalidFormat);
    }
    Ok(d.to_string())
}

/// docker's `ParseNormalizedNamed`: adds `docker.io` and `library/` where the CLI would.
pub fn parse_normalized(s: &str) -> Result<Reference, RefError> {
    if grammar::IDENTIFIER.is_match(s) {
        return Err(RefError::HexName);
    }
    let (domain, remainder) = split_docker_domain(s);
    let remote = remainder.split_once(':').map_or(remainder.as_str(), |(r, _)| r);
    if remote.to_lowercase() != remote {
        return Err(RefError::RepositoryNotLowercase(remote.to_string()));
    }
    parse(&format!("{domain}/{remainder}"))
}

fn split_docker_domain(name: &str) -> (String, String) {
    let Some((maybe_domain, rest)) = name.split_once('/') else {
        return (DEFAULT_DOMAIN.into(), format!("{OFFICIAL_PREFIX}{name}"));
    };
    let (domain, mut remote) =
        if maybe_domain == "localhost" || maybe_domain.contains(['.', ':']) || maybe_domain.to_lowercase() != maybe_domain {
            (maybe_domain.to_string(), rest.to_string())
        } else if maybe_domain == LEGACY_DEFAULT_DOMAIN {
            (DEFAULT_DOMAIN.to_string(), rest.to_string())
        } else {
            (DEFAULT_DOMAIN.to_string(), name.to_string())
        };
    let domain = if domain == LEGACY_DEFAULT_DOMAIN { DEFAULT_DOMAIN.to_string() } else { domain };
    if domain == DEFAULT_DOMAIN && !remote.contains('/') {
        remote = format!("{OFFICIAL_PREFIX}{remote}");
    }
    (domain, remote)
}

/// docker's `ParseNamed`: only already-canonical references.
pub fn parse_named(s: &str) -> Result<Reference, RefError> {
    let named = parse_normalized(s)?;
    if named.to_string() != s {
        return Err(RefError::NotCanonical);
    }
    Ok(named)
}

/// What `docker pull` pulls: normalised, `:latest` when neither tag nor digest is given, and
/// the tag dropped when a digest pins the image.
pub fn parse_docker_ref(s: &str) -> Result<Reference, RefError> {
    let mut r = parse_normalized(s.trim())?;
    if r.digest.is_some() {
        r.tag = None;
    } else if r.tag.is_none() {
        r.tag = Some("latest".into());
    }
    Ok(r)
}

/// Which part of a reference the grammar refused, as a sentence; None when no part stands out.
/// distribution only says "invalid reference format"; a user needs to know what to fix.
pub fn diagnose(s: &str) -> Option<String> {
    let s = s.trim();
    if s.contains(char::is_whitespace) {
        return Some("A reference cannot contain spaces.".into());
    }
    let (rest, digest) = match s.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (s, None),
    };
    // The tag's ':' comes after the last '/', so a registry's port is not mistaken for one.
    let (name, tag) = match rest.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (rest, None),
    };
    if name.is_empty() {
        return Some("There is no image name before the ':' or '@' (e.g. ubuntu:22.04).".into());
    }
    match tag {
        Some("") => return Some("The tag after ':' is empty: give one (e.g. ubuntu:22.04) or leave out the ':' for latest.".into()),
        Some(t) if !grammar::TAG_ONLY.is_match(t) => return Some(format!("The tag “{t}” is invalid: {TAG_RULE}")),
        _ => {}
    }
    match digest {
        Some("") => Some("The digest after '@' is empty: give one (sha256: and 64 hex digits) or leave out the '@'.".into()),
        Some(d) => validate_digest(d).err().map(|e| e.to_string()),
        None if name.ends_with('/') => Some("The name ends with '/': add the repository after it.".into()),
        None if name.contains("//") => Some("The name has an empty part between two '/'.".into()),
        None => None,
    }
}

/// What a tag may be, for messages.
pub const TAG_RULE: &str = "up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.";

/// A reference or a bare image digest (docker's `ParseAnyReference`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyReference {
    Digest(String),
    Named(Reference),
}

pub fn parse_any(s: &str) -> Result<AnyReference, RefError> {
    if grammar::IDENTIFIER.is_match(s) {
        return Ok(AnyReference::Digest(format!("sha256:{s}")));
    }
    if let Ok(d) = validate_digest(s) {
        return Ok(AnyReference::Digest(d));
    }
    parse_normalized(s).map(AnyReference::Named)
}

/// `name` as a repository (distribution's `WithName`).
pub fn with_name(name: &str) -> Result<Reference, RefError> {
    if name.len() > NAME_MAX {
        return Err(RefError::TooLong(name.len()));
    }
    if !grammar::NAME.is_match(name) {
        return Err(RefError::InvalidFormat);
    }
    let (domain, path) = split_name(name);
    Ok(Reference { domain, path, tag: None, digest: None })
}

impl Reference {
    pub fn with_tag(&self, tag: &str) -> Result<Reference, RefError> {
        if !grammar::TAG_ONLY.is_match(tag) {
            return Err(RefError::TagInvalid);
        }
        Ok(Reference { tag: Some(tag.into()), ..self.clone() })
    }

    pub fn with_digest(&self, digest: &str) -> Result<Reference, RefError> {
        if !grammar::DIGEST_ONLY.is_match(digest) {
            return Err(RefError::DigestInvalidFormat);
        }
        Ok(Reference { digest: Some(digest.into()), ..self.clone() })
    }
}

/// Reference matching as `docker images --filter reference=…` does: the pattern is a path glob
/// matched against the familiar form, or the familiar name without tag.
pub fn familiar_match(pattern: &str, reference: &Reference) -> Result<bool, RefError> {
    let full = reference.familiar();
    let name = Reference { tag: None, digest: None, ..reference.clone() }.familiar();
    Ok(glob::matches(pattern, &full)? || glob::matches(pattern, &name)?)
}

mod glob;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_the_cli() {
        assert_eq!(parse_docker_ref("ubuntu").unwrap().to_string(), "docker.io/library/ubuntu:latest");
        assert_eq!(parse_docker_ref("127.0.0.1:5000/app").unwrap().to_string(), "127.0.0.1:5000/app:latest");
        assert_eq!(parse_docker_ref("user/app:1").unwrap().familiar(), "user/app:1");
    }

    #[test]
    fn bad_input_says_why() {
        assert_eq!(parse_docker_ref("Ubuntu"), Err(RefError::RepositoryNotLowercase("library/Ubuntu".into())));
        assert_eq!(parse_docker_ref(":tag"), Err(RefError::InvalidFormat));
        assert_eq!(parse_docker_ref("ubuntu:"), Err(RefError::InvalidFormat));
        assert_eq!(parse_docker_ref("ubuntu@sha256:abc"), Err(RefError::InvalidFormat));
        assert_eq!(parse_docker_ref(&format!("ubuntu@sha256:{}", "a".repeat(63) + "g")), Err(RefError::InvalidFormat));
        assert!(matches!(parse_docker_ref(&"a".repeat(256)), Err(RefError::TooLong(_))));
    }

    #[test]
    fn diagnoses_the_part_that_is_wrong() {
        let said = |s: &str| diagnose(s).unwrap_or_default();
        assert!(said(":tag").starts_with("There is no image name"), "{}", said(":tag"));
        assert!(said("ubuntu:").starts_with("The tag after ':' is empty"));
        assert!(said("ubuntu:-x").starts_with("The tag “-x” is invalid"));
        assert!(said("ubuntu@sha256:abc").contains("wrong length"), "{}", said("ubuntu@sha256:abc"));
        assert!(said("ubuntu@").starts_with("The digest after '@' is empty"));
        assert!(said("my app").contains("spaces"));
        assert!(said("team/").contains("ends with '/'"));
        assert_eq!(diagnose("localhost:5000/app_"), None, "no part stands out: the general rule applies");
    }
}
