//! GitLab's variable expansion (`$VAR`, `${VAR}`, `$$` for a literal `$`), as the runner
//! applies it to variable values, cache keys, image names and rule operands.

use super::model::Variable;
use std::collections::HashMap;

/// `text` with every `$NAME`/`${NAME}` replaced by `lookup(NAME)` (unknown names become empty).
/// A `$` not followed by a name stays as written.
pub fn expand(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) if is_name(&inner[..end]) => {
                    out.push_str(&lookup(&inner[..end]).unwrap_or_default());
                    rest = &inner[end + 1..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            let len = name_len(after);
            if len == 0 {
                out.push('$');
            } else {
                out.push_str(&lookup(&after[..len]).unwrap_or_default());
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// The length of the variable name at the start of `s`.
pub fn name_len(s: &str) -> usize {
    s.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count()
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && name_len(s) == s.len()
}

/// The job's final environment from its [`Variable`] list: later entries win, each value with
/// `expand` set is expanded against the values before it; order of first appearance is kept.
pub fn environment(variables: &[Variable]) -> Vec<(String, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut values: HashMap<String, String> = HashMap::new();
    for v in variables {
        let value = if v.expand { expand(&v.value, |k| values.get(k).cloned()) } else { v.value.clone() };
        if values.insert(v.name.clone(), value).is_none() {
            order.push(v.name.clone());
        }
    }
    order.into_iter().map(|k| { let v = values.remove(&k).unwrap_or_default(); (k, v) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipelines::model::VariableOrigin;

    fn var(name: &str, value: &str, expand: bool) -> Variable {
        Variable { name: name.into(), value: value.into(), expand, masked: false, origin: VariableOrigin::Job }
    }

    #[test]
    fn expands_names_braces_and_dollars() {
        let look = |k: &str| (k == "A").then(|| "x".to_string());
        assert_eq!(expand("$A-${A}-$B-$$A-$-${}-$A_", look), "x-x--$A-$-${}-");
    }

    #[test]
    fn later_variables_win_and_raw_values_stay() {
        let env = environment(&[var("A", "1", true), var("B", "$A/b", true), var("C", "$A", false), var("A", "2", true)]);
        assert_eq!(env, vec![("A".into(), "2".into()), ("B".into(), "1/b".into()), ("C".into(), "$A".into())]);
    }
}
