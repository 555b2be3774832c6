//! Merging compose files (and `extends`) the way the Compose specification says: mappings
//! merge, `command`-like lists are replaced, `volumes` merge by target, other lists append
//! without repeats; `!reset` drops what the base set and `!override` replaces it whole.

use serde_json::Value;
use std::collections::HashSet;

/// The `!reset` / `!override` paths of the file being merged in.
#[derive(Debug, Default, Clone)]
pub struct Tags {
    pub resets: HashSet<String>,
    pub overrides: HashSet<String>,
}

/// Lists that a later file replaces instead of extending.
const REPLACED: &[&str] = &["command", "entrypoint", "test", "profiles", "dns_opt", "args"];

pub fn merge(base: &mut Value, over: Value, path: &str, tags: &Tags) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if tags.resets.contains(&p) {
                    b.remove(&k);
                    continue;
                }
                if tags.overrides.contains(&p) {
                    b.insert(k, v);
                    continue;
                }
                match b.get_mut(&k) {
                    Some(existing) if !existing.is_null() => merge_key(existing, v, &k, &p, tags),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

fn merge_key(base: &mut Value, over: Value, key: &str, path: &str, tags: &Tags) {
    match (base, over) {
        (Value::Array(b), Value::Array(o)) if !REPLACED.contains(&key) => {
            let by_target = key == "volumes";
            for item in o {
                let target = item.get("target").cloned().filter(|_| by_target);
                match target.and_then(|t| b.iter().position(|x| x.get("target") == Some(&t))) {
                    Some(i) => b[i] = item,
                    None if !b.contains(&item) => b.push(item),
                    None => {}
                }
            }
        }
        (b @ Value::Object(_), o @ Value::Object(_)) => merge(b, o, path, tags),
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules() {
        let mut base = json!({"services": {"a": {"command": ["x", "y"], "ports": [1], "volumes": [{"target": "/d", "source": "a"}],
            "environment": {"A": "1"}, "labels": {"l": "1"}}}});
        let over = json!({"services": {"a": {"command": ["z"], "ports": [1, 2], "volumes": [{"target": "/d", "source": "b"}],
            "environment": {"B": "2"}, "labels": {}}}});
        let tags = Tags { resets: HashSet::from(["services.a.labels".into()]), ..Default::default() };
        merge(&mut base, over, "", &tags);
        assert_eq!(
            base,
            json!({"services": {"a": {"command": ["z"], "ports": [1, 2], "volumes": [{"target": "/d", "source": "b"}],
                "environment": {"A": "1", "B": "2"}}}})
        );
    }
}
