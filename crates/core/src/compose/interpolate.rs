//! `${VAR}` substitution as Compose does it: `$VAR`, `${VAR}`, `${VAR:-default}`,
//! `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}` and `$$`.
//! Unset and empty differ; defaults, alternatives and messages expand lazily and may nest.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateError {
    Invalid(String),
    Required { variable: String, reason: String },
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Invalid(t) => write!(f, "Invalid template: {t:?}"),
            TemplateError::Required { variable, reason } if reason.is_empty() => {
                write!(f, "required variable {variable} is missing a value")
            }
            TemplateError::Required { variable, reason } => {
                write!(f, "required variable {variable} is missing a value: {reason}")
            }
        }
    }
}

/// Substitute every variable in `template`; `lookup` answers None for unset variables.
pub fn substitute(template: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<String, TemplateError> {
    let chars: Vec<char> = template.chars().collect();
    let invalid = || TemplateError::Invalid(template.to_string());
    let mut out = String::with_capacity(template.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '$' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('{') => {
                let start = i + 2;
                let mut depth = 1;
                let mut end = start;
                while end < chars.len() {
                    match chars[end] {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    end += 1;
                }
                if depth != 0 {
                    return Err(invalid());
                }
                let inner: String = chars[start..end].iter().collect();
                out.push_str(&braced(&inner, lookup).ok_or_else(invalid)??);
                i = end + 1;
            }
            Some(c) if *c == '_' || c.is_ascii_alphabetic() => {
                let end = (i + 1..chars.len()).find(|&j| !is_name_char(chars[j])).unwrap_or(chars.len());
                let name: String = chars[i + 1..end].iter().collect();
                out.push_str(&lookup(&name).unwrap_or_default());
                i = end;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    Ok(out)
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// The inside of `${...}`; None when it is not a valid expression.
fn braced(inner: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Option<Result<String, TemplateError>> {
    let name_len = inner.find(|c: char| !is_name_char(c)).unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let value = lookup(name);
    let (op, arg) = ["", ":-", "-", ":?", "?", ":+", "+"].iter().rev().find_map(|op| {
        if op.is_empty() {
            (rest.is_empty()).then_some(("", ""))
        } else {
            rest.strip_prefix(op).map(|a| (*op, a))
        }
    })?;
    let set = value.is_some();
    let non_empty = value.as_deref().is_some_and(|v| !v.is_empty());
    let mut expand = |s: &str| substitute(s, lookup);
    Some(match op {
        "" => Ok(value.unwrap_or_default()),
        ":-" if !non_empty => expand(arg),
        "-" if !set => expand(arg),
        ":?" | "?" if !(if op == ":?" { non_empty } else { set }) => match expand(arg) {
            Ok(reason) => Err(TemplateError::Required { variable: name.to_string(), reason }),
            Err(e) => Err(e),
        },
        ":+" if non_empty => expand(arg),
        "+" if set => expand(arg),
        ":+" | "+" => Ok(String::new()),
        _ => Ok(value.unwrap_or_default()),
    })
}

/// Substitute in every string of `tree` (values, not keys); returns the dotted paths that
/// held a variable, whose type Compose may cast afterwards (`"${PORT}"` as a number).
pub fn tree(tree: &mut Value, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<Vec<String>, (String, TemplateError)> {
    let mut changed = Vec::new();
    walk(tree, String::new(), lookup, &mut changed)?;
    Ok(changed)
}

fn walk(
    v: &mut Value,
    path: String,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
    changed: &mut Vec<String>,
) -> Result<(), (String, TemplateError)> {
    let child = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match v {
        Value::String(s) if s.contains('$') => {
            *s = substitute(s, lookup).map_err(|e| (path.clone(), e))?;
            changed.push(path);
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, child(&i.to_string()), lookup, changed)?;
            }
        }
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                walk(item, child(k), lookup, changed)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(t: &str) -> Result<String, String> {
        substitute(t, &mut |k| match k {
            "FOO" => Some("first".into()),
            "BAR" => Some(String::new()),
            _ => None,
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn forms() {
        assert_eq!(sub("$${foo} $FOO-bar ${BAR:-d} ${BAR-d}|").unwrap(), "${foo} first-bar d |");
        assert_eq!(sub("${X:-{\"a\":1}} ${X-${FOO} $FOO}").unwrap(), "{\"a\":1} first first");
        assert_eq!(sub("${BAR:?oops ${FOO}}").unwrap_err(), "required variable BAR is missing a value: oops first");
        assert!(sub("${foo }").unwrap_err().starts_with("Invalid template"));
        assert_eq!(sub("a $ b $}").unwrap(), "a $ b $}");
    }
}
