//! The two glob dialects of `.gitlab-ci.yml`, compiled to bounded regexes:
//! `include:local` wildcards (`*` within a folder, `**` across folders) and Ruby's
//! `File.fnmatch?` with `FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB` for `changes` and `exists`
//! (`**/` = zero or more folders, `{a,b}` alternatives).

use regex::{Regex, RegexBuilder};

/// Compiled patterns stay small: a file cannot make the loader build a huge automaton.
const MAX_REGEX: usize = 1 << 20;

/// Whether `pattern` has glob characters (else it names one file).
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

/// `include:local` wildcard: `*` → within one folder, `**` → anything, including `/`.
pub fn include(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                re.push_str(".*");
            }
            '*' => re.push_str("[^/]*"),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    build(&re)
}

/// Ruby `File.fnmatch?(pattern, path, FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB)`.
pub fn fnmatch(pattern: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut braces = 0usize;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') && chars.get(i + 2) == Some(&'/') && (i == 0 || chars[i - 1] == '/') => {
                re.push_str("(?:[^/]*/)*");
                i += 3;
                continue;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '[' => match chars[i + 1..].iter().position(|&c| c == ']') {
                Some(end) => {
                    let class: String = chars[i + 1..i + 1 + end].iter().collect();
                    let class = class.strip_prefix('!').map(|c| format!("^{c}")).unwrap_or(class);
                    re.push('[');
                    re.push_str(&class.replace('\\', "\\\\").replace('[', "\\["));
                    re.push(']');
                    i += end + 2;
                    continue;
                }
                None => re.push_str("\\["),
            },
            '{' => {
                braces += 1;
                re.push_str("(?:");
            }
            ',' if braces > 0 => re.push('|'),
            '}' if braces > 0 => {
                braces -= 1;
                re.push(')');
            }
            '\\' if i + 1 < chars.len() => {
                re.push_str(&regex::escape(&chars[i + 1].to_string()));
                i += 2;
                continue;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if braces > 0 {
        return None;
    }
    re.push('$');
    build(&re)
}

fn build(re: &str) -> Option<Regex> {
    RegexBuilder::new(re).size_limit(MAX_REGEX).build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_wildcards_follow_gitlab_docs() {
        let m = |p: &str, f: &str| include(p).unwrap().is_match(f);
        assert!(m("configs/*.yml", "configs/a.yml") && !m("configs/*.yml", "configs/sub/a.yml"));
        assert!(m("configs/**.yml", "configs/a.yml") && m("configs/**.yml", "configs/sub/a.yml"));
        assert!(!m("configs/**/*.yml", "configs/a.yml") && m("configs/**/*.yml", "configs/sub/a.yml"));
    }

    #[test]
    fn fnmatch_with_pathname_and_braces() {
        let m = |p: &str, f: &str| fnmatch(p).unwrap().is_match(f);
        assert!(m("**/*.md", "README.md") && m("**/*.md", "docs/a/b.md"));
        assert!(m("src/*.{rs,toml}", "src/a.toml") && !m("src/*.rs", "src/a/b.rs"));
        assert!(m(".*", ".env") && m("Dockerfile", "Dockerfile") && !m("Dockerfile", "x/Dockerfile"));
    }
}
