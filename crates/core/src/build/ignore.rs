//! `.dockerignore` with Docker's exact semantics: a port of moby/patternmatcher (pattern
//! cleaning, the glob-to-regexp conversion, parent-directory matching, `!` exceptions) and of
//! its `ignorefile.ReadAll`. Paths are slash-separated and relative to the context root.

use regex::Regex;
use std::sync::OnceLock;

/// Why a set of patterns cannot be used; the texts are moby's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// A line that is only `!`.
    IllegalExclusion,
    /// `filepath.ErrBadPattern`: an unterminated `[`, a bad range, a trailing `\`.
    Syntax(String),
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternError::IllegalExclusion => write!(f, "illegal exclusion pattern: \"!\""),
            PatternError::Syntax(p) => write!(f, "syntax error in pattern {p:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchType {
    Exact,
    Prefix,
    Suffix,
    Regexp,
}

#[derive(Debug)]
struct Pattern {
    cleaned: String,
    exclusion: bool,
    /// Compiled on first use, as moby does: a pattern Go's `filepath.Match` accepts but its
    /// regexp engine refuses (e.g. `[l-O]`) fails every match call instead of `new`.
    compiled: OnceLock<Result<(MatchType, Option<Regex>), PatternError>>,
}

/// An ordered list of patterns; later ones override earlier ones.
#[derive(Debug, Default)]
pub struct PatternMatcher {
    patterns: Vec<Pattern>,
    exclusions: bool,
}

impl PatternMatcher {
    /// moby's `patternmatcher.New`: trims, drops empty lines, cleans, checks the syntax.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<PatternMatcher, PatternError> {
        let mut pm = PatternMatcher::default();
        for p in patterns {
            let p = p.as_ref().trim();
            if p.is_empty() {
                continue;
            }
            let mut p = clean(p);
            let exclusion = p.starts_with('!');
            if exclusion {
                if p.len() == 1 {
                    return Err(PatternError::IllegalExclusion);
                }
                p = p[1..].to_string();
                pm.exclusions = true;
            }
            if !valid_glob(&p) {
                return Err(PatternError::Syntax(p));
            }
            pm.patterns.push(Pattern { cleaned: p, exclusion, compiled: OnceLock::new() });
        }
        Ok(pm)
    }

    /// Whether any pattern is an exception (`!`).
    pub fn exclusions(&self) -> bool {
        self.exclusions
    }

    /// How many patterns are left after cleaning.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// moby's `MatchesOrParentMatches`: is `file` excluded, by itself or through a parent?
    pub fn matches(&self, file: &str) -> Result<bool, PatternError> {
        let parent = match file.rfind('/') {
            Some(i) => &file[..i],
            None => ".",
        };
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exclusion != matched {
                continue;
            }
            let mut hit = pattern.is_match(file)?;
            if !hit && parent != "." {
                hit = ancestors(parent).any(|dir| pattern.is_match(dir).unwrap_or(false));
            }
            if hit {
                matched = !pattern.exclusion;
            }
        }
        Ok(matched)
    }

    /// Could an exception re-include something below the excluded directory `dir`? Then the
    /// walk must go into it (moby's archive walker does the same prefix test).
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        let dir_slash = format!("{dir}/");
        self.patterns.iter().any(|p| p.exclusion && format!("{}/", p.cleaned).starts_with(&dir_slash))
    }
}

/// `a`, `a/b`, `a/b/c` for `a/b/c`.
fn ancestors(parent: &str) -> impl Iterator<Item = &str> {
    parent.match_indices('/').map(|(i, _)| &parent[..i]).chain(std::iter::once(parent))
}

impl Pattern {
    fn is_match(&self, path: &str) -> Result<bool, PatternError> {
        let compiled = self.compiled.get_or_init(|| compile(&self.cleaned));
        let (kind, re) = compiled.as_ref().map_err(Clone::clone)?;
        Ok(match kind {
            MatchType::Exact => path == self.cleaned,
            MatchType::Prefix => path.starts_with(&self.cleaned[..self.cleaned.len() - 2]),
            MatchType::Suffix => {
                let suffix = &self.cleaned[2..];
                path.ends_with(suffix) || (suffix.starts_with('/') && path == &suffix[1..])
            }
            MatchType::Regexp => re.as_ref().is_some_and(|re| re.is_match(path)),
        })
    }
}

/// moby's `Pattern.compile` (unix separator), character for character.
fn compile(pattern: &str) -> Result<(MatchType, Option<Regex>), PatternError> {
    let mut re = String::from("^");
    let mut kind = MatchType::Exact;
    let mut chars = pattern.chars().peekable();
    let mut first = true;
    while let Some(ch) = chars.next() {
        match ch {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                }
                if chars.peek().is_none() {
                    if kind == MatchType::Exact {
                        kind = MatchType::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = MatchType::Regexp;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = MatchType::Regexp;
                }
                if first {
                    kind = MatchType::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                kind = MatchType::Regexp;
            }
            '?' => {
                re.push_str("[^/]");
                kind = MatchType::Regexp;
            }
            '.' | '+' | '(' | ')' | '|' | '{' | '}' | '$' => {
                re.push('\\');
                re.push(ch);
            }
            '\\' => match chars.next() {
                Some(next) => {
                    re.push('\\');
                    re.push(next);
                    kind = MatchType::Regexp;
                }
                None => re.push('\\'),
            },
            '[' | ']' => {
                re.push(ch);
                kind = MatchType::Regexp;
            }
            other => re.push(other),
        }
        first = false;
    }
    if kind != MatchType::Regexp {
        return Ok((kind, None));
    }
    re.push('$');
    Regex::new(&re).map(|r| (kind, Some(r))).map_err(|_| PatternError::Syntax(pattern.to_string()))
}

/// Go's `filepath.Match` syntax check: `[` needs a closing `]` and at least one item; an item
/// is a char or `lo-hi`, where `-` and `]` must be escaped; `\` needs a following char.
fn valid_glob(pattern: &str) -> bool {
    let mut chars = pattern.chars().peekable();
    fn item(chars: &mut std::iter::Peekable<std::str::Chars>) -> bool {
        match chars.next() {
            None | Some('-') | Some(']') => false,
            Some('\\') => chars.next().is_some(),
            Some(_) => true,
        }
    }
    while let Some(ch) = chars.next() {
        match ch {
            '\\' if chars.next().is_none() => return false,
            '[' => {
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                let mut items = 0;
                loop {
                    if chars.peek() == Some(&']') && items > 0 {
                        chars.next();
                        break;
                    }
                    if !item(&mut chars) {
                        return false;
                    }
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        if !item(&mut chars) {
                            return false;
                        }
                    }
                    items += 1;
                }
            }
            _ => {}
        }
    }
    true
}

/// Go's `filepath.Clean` for slash paths.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match out.last() {
                Some(&last) if last != ".." => {
                    out.pop();
                }
                _ if rooted => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// moby's `ignorefile.ReadAll`: one pattern a line; `#` comments only at the very start of a
/// line; a UTF-8 BOM is dropped; patterns are cleaned and made relative (leading `/` removed).
pub fn read_patterns(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut cleaned = if pattern.is_empty() { String::new() } else { clean(pattern) };
        if cleaned.len() > 1 && cleaned.starts_with('/') {
            cleaned.remove(0);
        }
        out.push(if invert { format!("!{cleaned}") } else { cleaned });
    }
    out
}

/// Docker's package-level `Matches`: the path is cleaned and `.` never matches.
pub fn matches(file: &str, patterns: &[impl AsRef<str>]) -> Result<bool, PatternError> {
    let pm = PatternMatcher::new(patterns)?;
    let file = clean(file);
    if file == "." {
        return Ok(false);
    }
    pm.matches(&file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_override_in_order() {
        assert!(!matches("docs/README.md", &["docs", "!docs/README.md"]).unwrap());
        assert!(matches("docs/other.md", &["docs", "!docs/README.md"]).unwrap());
        assert!(matches("fileutils.go", &["!fileutils.go", "*.go"]).unwrap());
    }

    #[test]
    fn double_star_and_suffix() {
        assert!(matches("a/b/c.cc", &["**/*.cc"]).unwrap());
        assert!(matches("foo", &["**/foo"]).unwrap());
        assert!(!matches("afoo", &["**/foo"]).unwrap());
        assert!(matches("dir/x/y", &["dir/**"]).unwrap());
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(PatternMatcher::new(&["!"]).unwrap_err(), PatternError::IllegalExclusion);
        assert!(PatternMatcher::new(&["["]).is_err());
        assert!(PatternMatcher::new(&["[]a]"]).is_err());
        let pm = PatternMatcher::new(&["[Local-Only]/"]).unwrap();
        assert!(pm.matches("x").is_err());
        assert!(pm.matches("x").is_err(), "a repeated call errors again");
    }

    #[test]
    fn reads_files_like_moby() {
        let got = read_patterns("\u{feff}/a/../b\n# c\n  #d\n! /e/\n\n");
        assert_eq!(got, ["b", "#d", "!e"]);
    }

    #[test]
    fn clean_is_lexical() {
        assert_eq!(clean("./dir1/../foo2"), "foo2");
        assert_eq!(clean("dir1//foo"), "dir1/foo");
        assert_eq!(clean("../a"), "../a");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(clean(""), ".");
    }
}
