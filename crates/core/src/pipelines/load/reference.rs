//! `!reference [job, key, …]` tags (kept by the YAML reader as `{"!reference": [...]}`),
//! replaced by the value they point at, after `extends` as GitLab does. A reference inside a
//! list stays one (nested) item; scripts are flattened later.

use super::context::Ctx;
use crate::compose::yaml::REFERENCE;
use crate::pipelines::model::PipelineError;
use serde_json::{Map, Value};

/// References to references are followed at most this deep.
const MAX_CHAIN: usize = 10;
/// At most this many values are copied by references in one file (a few references to
/// references to lists would otherwise multiply like YAML's "billion laughs").
const MAX_COPIED: usize = 250_000;

struct Walk<'a, 'b> {
    ctx: &'a Ctx<'b>,
    root: &'a Value,
    chain: Vec<Vec<String>>,
    copied: usize,
}

fn size(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(size).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

pub fn resolve(ctx: &Ctx, config: &mut Map<String, Value>) -> Result<(), PipelineError> {
    let snapshot = Value::Object(config.clone());
    let mut w = Walk { ctx, root: &snapshot, chain: Vec::new(), copied: 0 };
    for (key, value) in config.iter_mut() {
        w.walk(value, key)?;
    }
    Ok(())
}

impl Walk<'_, '_> {
    fn walk(&mut self, value: &mut Value, at: &str) -> Result<(), PipelineError> {
        let ctx = self.ctx;
        match value {
            // Alone, the reference is replaced; next to other keys (`extends` merged a job's
            // own keys into it, or `<<: !reference`), it is merged beneath them.
            Value::Object(m) if m.contains_key(REFERENCE) => {
                let job = at.split('.').next().unwrap_or(at);
                let err = |msg: String| ctx.error(Some(job), at, msg);
                let path: Vec<String> = match &m[REFERENCE] {
                    Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_string) => {
                        a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
                    }
                    _ => return Err(err("!reference needs a list of keys, like `!reference [.setup, script]`".into())),
                };
                let shown = format!("[{}]", path.join(","));
                if self.chain.contains(&path) {
                    return Err(err(format!("!reference circular chain detected {shown}")));
                }
                if self.chain.len() >= MAX_CHAIN {
                    return Err(err(format!("!reference {shown} is nested more than {MAX_CHAIN} references deep")));
                }
                let mut target = self.root;
                for key in &path {
                    target = target.get(key).ok_or_else(|| err(format!("!reference {shown} could not be found")))?;
                }
                self.copied += size(target);
                if self.copied > MAX_COPIED {
                    return Err(err(format!("!reference {shown}: references copy more than {MAX_COPIED} values; Berth stops there")));
                }
                let mut target = target.clone();
                self.chain.push(path);
                self.walk(&mut target, at)?;
                self.chain.pop();
                let mut own = std::mem::take(m);
                own.remove(REFERENCE);
                if own.is_empty() {
                    *value = target;
                } else {
                    let Value::Object(mut merged) = target else {
                        return Err(err(format!("!reference {shown} is not a hash, so it cannot be merged with other keys")));
                    };
                    for (k, mut v) in own {
                        self.walk(&mut v, &format!("{at}.{k}"))?;
                        merged.insert(k, v);
                    }
                    *value = Value::Object(merged);
                }
            }
            Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    self.walk(v, &format!("{at}.{k}"))?;
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter_mut().enumerate() {
                    self.walk(v, &format!("{at}.{i}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}
