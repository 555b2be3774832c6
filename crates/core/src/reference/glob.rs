//! Go's `path.Match` glob, as `docker images --filter reference=` uses it: `*` and `?` stop at
//! `/`, `[a-z]` / `[^…]` classes, `\` escapes. A malformed pattern is an error.

use super::RefError;

pub(super) fn matches(pattern: &str, name: &str) -> Result<bool, RefError> {
    let p = collapse_stars(pattern);
    let n: Vec<char> = name.chars().collect();
    validate(&p)?;
    Ok(match_at(&p, &n))
}

/// The pattern with each run of unescaped `*` as one: the same matches, and no exponential
/// backtracking on `****…` (found by the fuzz target).
fn collapse_stars(pattern: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    let mut star = false;
    while let Some(c) = chars.next() {
        if c == '*' && star {
            continue;
        }
        star = c == '*';
        out.push(c);
        if c == '\\' {
            out.extend(chars.next());
        }
    }
    out
}

fn validate(p: &[char]) -> Result<(), RefError> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(RefError::BadPattern);
                }
                i += 2;
            }
            '[' => i = class(p, i + 1, '\0')?.1,
            _ => i += 1,
        }
    }
    Ok(())
}

/// Parse a class starting after `[`; returns (does `c` match, index after `]`).
fn class(p: &[char], mut i: usize, c: char) -> Result<(bool, usize), RefError> {
    let negated = p.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut ranges = 0;
    loop {
        if p.get(i) == Some(&']') && ranges > 0 {
            return Ok((matched != negated, i + 1));
        }
        let (lo, next) = escaped(p, i)?;
        i = next;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            let (h, next) = escaped(p, i + 1)?;
            hi = h;
            i = next;
        }
        matched |= lo <= c && c <= hi;
        ranges += 1;
    }
}

fn escaped(p: &[char], mut i: usize) -> Result<(char, usize), RefError> {
    match p.get(i) {
        None | Some('-') | Some(']') => return Err(RefError::BadPattern),
        Some('\\') => i += 1,
        _ => {}
    }
    let c = *p.get(i).ok_or(RefError::BadPattern)?;
    if i + 1 >= p.len() {
        return Err(RefError::BadPattern);
    }
    Ok((c, i + 1))
}

fn match_at(p: &[char], n: &[char]) -> bool {
    let Some(&first) = p.first() else { return n.is_empty() };
    match first {
        '*' => (0..=n.len()).take_while(|&k| k == 0 || n[k - 1] != '/').any(|k| match_at(&p[1..], &n[k..])),
        '?' => n.first().is_some_and(|&c| c != '/') && match_at(&p[1..], &n[1..]),
        '[' => match n.first() {
            Some(&c) if c != '/' => match class(p, 1, c) {
                Ok((true, next)) => match_at(&p[next..], &n[1..]),
                _ => false,
            },
            _ => false,
        },
        '\\' => n.first() == p.get(1) && match_at(&p[2..], &n[1..]),
        c => n.first() == Some(&c) && match_at(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_stars_matches_as_one_and_ends() {
        // Exponential before: the fuzz target's input never finished.
        let stars = format!("{}tag2", "*".repeat(100));
        assert!(!matches(&stars, "11n0.1qrivatefeoo:latest").unwrap());
        assert!(matches(&stars, "app:tag2").unwrap());
        assert_eq!(matches("a**b", "axyb").unwrap(), matches("a*b", "axyb").unwrap());
        // An escaped star stays a literal star.
        assert!(matches(r"a\**", "a*x").unwrap() && !matches(r"a\**", "ax").unwrap());
    }
}
