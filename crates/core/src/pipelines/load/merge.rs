//! GitLab's deep merge (Rails' `deep_merge`), used by `include` and `extends`: hashes merge
//! key by key, everything else (arrays included) is replaced by the overriding side.

use serde_json::Value;

/// Merges `over` into `base`; `over` wins.
pub fn deep_merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => deep_merge(existing, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hashes_merge_arrays_replace() {
        let mut base = json!({"variables": {"A": "1", "B": "2"}, "script": ["a", "b"], "image": {"name": "x", "entrypoint": [""]}});
        deep_merge(&mut base, json!({"variables": {"B": "3"}, "script": ["c"], "image": {"name": "y"}}));
        assert_eq!(base, json!({"variables": {"A": "1", "B": "3"}, "script": ["c"], "image": {"name": "y", "entrypoint": [""]}}));
    }
}
