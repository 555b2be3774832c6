//! GitLab Runner's variable expansion (Go's `os.Expand` with the runner's lookup), as applied
//! to variable values, cache keys, image names and other expanded keys: `$NAME`, `${NAME}`,
//! `$$` for a literal `$`.

use super::model::Variable;
use std::collections::HashMap;

/// `text` with every `$NAME`/`${NAME}` replaced by `lookup(NAME)` (unknown names become
/// empty). As in the runner: `${...}` takes everything up to the first `}` as the name (so
/// `${A_${B}}` looks up `A_${B` and leaves `}`), `${}` and an unclosed `${` are dropped,
/// `$$` is `$`, shell specials (`$1`, `$?`, `$*`, …) stay as written, and a `$` before
/// anything else is kept.
pub fn expand(text: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(next) = after.chars().next() else {
            out.push('$');
            rest = after;
            break;
        };
        if next == '{' {
            match after.find('}') {
                Some(1) => rest = &after[2..],
                None => rest = &after[1..],
                Some(end) => {
                    out.push_str(&lookup(&after[1..end]).unwrap_or_default());
                    rest = &after[end + 1..];
                }
            }
        } else if next == '$' {
            out.push('$');
            rest = &after[1..];
        } else if "*#@!?-0123456789".contains(next) {
            out.push('$');
            out.push(next);
            rest = &after[1..];
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
        assert_eq!(expand("$A-${A}-$B-$$A-$-${}-$A_-$1-$ -", look), "x-x--$A-$---$1-$ -");
        // The runner's Go `os.Expand`: the name runs to the first `}`; an unclosed `${` is dropped.
        assert_eq!(expand("${URL_${A}}|${A", look), "}|A");
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
