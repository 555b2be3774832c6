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

/// The job's final environment from its [`Variable`] list, as the runner computes it: the last
/// entry of a name wins; each value with `expand` set is expanded once against the raw values
/// of the whole list (a name that refers to itself sees its earlier definition); the order of
/// first appearance is kept.
pub fn environment(variables: &[Variable]) -> Vec<(String, String)> {
    let mut last: HashMap<&str, usize> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, v) in variables.iter().enumerate() {
        if last.insert(&v.name, i).is_none() {
            order.push(&v.name);
        }
    }
    order
        .into_iter()
        .map(|name| {
            let i = last[name];
            let v = &variables[i];
            let value = if v.expand {
                expand(&v.value, |k| {
                    let found =
                        if k == name { variables[..i].iter().rev().find(|o| o.name == k) } else { last.get(k).map(|&j| &variables[j]) };
                    found.map(|o| o.value.clone())
                })
            } else {
                v.value.clone()
            };
            (name.to_string(), value)
        })
        .collect()
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
        let env = environment(&[
            var("A", "1", true),
            var("B", "$A/$D", true),
            var("C", "$A", false),
            var("A", "$A-2", true),
            var("D", "d", true),
        ]);
        let want = [("A", "1-2"), ("B", "$A-2/d"), ("C", "$A"), ("D", "d")];
        assert_eq!(env, want.map(|(k, v)| (k.to_string(), v.to_string())).to_vec());
    }
}
