//! The resolved configuration as YAML, for showing beside the editor (`docker compose config`).

use serde_json::Value;

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    block(v, 0, &mut out);
    out
}

fn block(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, item) in m {
                out.push_str(&format!("{pad}{}:", scalar_text(&Value::String(k.clone()))));
                child(item, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                out.push_str(&format!("{pad}-"));
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key goes on the dash line.
                        let mut first = true;
                        for (k, x) in m {
                            if first {
                                out.push_str(&format!(" {}:", scalar_text(&Value::String(k.clone()))));
                                first = false;
                            } else {
                                out.push_str(&format!("{pad}  {}:", scalar_text(&Value::String(k.clone()))));
                            }
                            child(x, indent + 2, out);
                        }
                    }
                    other => child(other, indent, out),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar_text(other));
            out.push('\n');
        }
    }
}

fn child(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            block(v, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar_text(other));
            out.push('\n');
        }
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => {
            let plain = !s.is_empty()
                && super::yaml::plain(s) == Value::String(s.clone())
                && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
                && !s.contains(": ")
                && !s.contains(" #")
                && !s.ends_with([' ', ':'])
                && !s.contains('\n');
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips_through_the_reader() {
        let v = json!({"name": "p", "services": {"web": {"command": ["sh", "-c", "echo: hi"], "ports": [{"target": 80, "published": "8080"}],
            "environment": {"A": "true", "B": "", "C": "x # y"}, "labels": {}, "init": true}}});
        let text = to_yaml(&v);
        assert_eq!(crate::compose::yaml::parse(&text).unwrap()[0].value, v, "{text}");
    }
}
