//! `parallel: N` and `parallel:matrix`: one job per instance, named as GitLab names them
//! (`test 1/3`, `test: [linux, amd64]`), with `CI_NODE_INDEX`/`CI_NODE_TOTAL` and the matrix
//! values as variables.

use super::fields;
use serde_json::Value;

/// GitLab's cap on instances of one job.
pub const MAX_INSTANCES: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub name: String,
    /// This instance's matrix values, in key order.
    pub matrix: Vec<(String, String)>,
    /// 1-based index and total; `None` for a job without `parallel`.
    pub node: Option<(usize, usize)>,
}

/// Puts a matrix entry's keys in file order (JSON maps here are sorted).
pub type KeyOrder<'a> = &'a dyn Fn(usize, &serde_json::Map<String, Value>) -> Vec<String>;

/// The instances of job `base`; `Err` is GitLab's sentence after `jobs:<job>:parallel `.
pub fn instances(base: &str, parallel: Option<&Value>, order: KeyOrder) -> Result<Vec<Instance>, String> {
    let single = || vec![Instance { name: base.to_string(), matrix: Vec::new(), node: None }];
    let Some(parallel) = parallel else { return Ok(single()) };
    if let Some(n) = parallel.as_u64() {
        let n = n as usize;
        if !(1..=MAX_INSTANCES).contains(&n) {
            return Err(format!("config must be less than or equal to {MAX_INSTANCES} and greater than or equal to 1"));
        }
        return Ok((1..=n).map(|i| Instance { name: format!("{base} {i}/{n}"), matrix: Vec::new(), node: Some((i, n)) }).collect());
    }
    let matrix = parallel.get("matrix").filter(|_| parallel.as_object().is_some_and(|m| m.len() == 1));
    let Some(matrix) = matrix else { return Err("should be an integer or a hash with matrix".into()) };
    let combos = permutations(matrix, order)?;
    let total = combos.len();
    Ok(combos
        .into_iter()
        .enumerate()
        .map(|(i, matrix)| Instance { name: matrix_name(base, &matrix), matrix, node: Some((i + 1, total)) })
        .collect())
}

/// `base: [v1, v2]`.
pub fn matrix_name(base: &str, values: &[(String, String)]) -> String {
    format!("{base}: [{}]", values.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(", "))
}

/// Every combination of a `matrix:` list (each entry's keys multiplied, entries appended).
pub fn permutations(matrix: &Value, order: KeyOrder) -> Result<Vec<Vec<(String, String)>>, String> {
    let entries = matrix.as_array().ok_or("matrix config should be an array of hashes")?;
    let mut out = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let entry = entry.as_object().ok_or("matrix config should be an array of hashes")?;
        let mut combos: Vec<Vec<(String, String)>> = vec![Vec::new()];
        for key in order(i, entry) {
            let values = &entry[&key];
            let values = fields::strings(values).ok_or_else(|| format!("matrix {key} should be a string or an array of strings"))?;
            combos = combos
                .into_iter()
                .flat_map(|c| values.iter().map(|v| [c.clone(), vec![(key.clone(), v.clone())]].concat()).collect::<Vec<_>>())
                .collect();
            if combos.len() > MAX_INSTANCES {
                break;
            }
        }
        out.extend(combos);
        if out.len() > MAX_INSTANCES {
            return Err(format!("matrix config generates too many jobs (maximum is {MAX_INSTANCES})"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parallel_and_matrix_names() {
        let order = |_: usize, m: &serde_json::Map<String, Value>| {
            let mut k: Vec<String> = m.keys().cloned().collect();
            k.sort_by_key(|k| k != "OS");
            k
        };
        let names = |p: Value| instances("test", Some(&p), &order).unwrap().into_iter().map(|i| i.name).collect::<Vec<_>>();
        assert_eq!(names(json!(2)), ["test 1/2", "test 2/2"]);
        assert_eq!(
            names(json!({"matrix": [{"OS": ["linux", "mac"], "ARCH": "amd64"}, {"OS": "win"}]})),
            ["test: [linux, amd64]", "test: [mac, amd64]", "test: [win]"]
        );
        let i = &instances("t", Some(&json!({"matrix": [{"A": ["1", "2"]}]})), &order).unwrap()[1];
        assert_eq!((i.matrix.clone(), i.node), (vec![("A".into(), "2".into())], Some((2, 2))));
        assert!(instances("t", Some(&json!(201)), &order).is_err());
        assert!(instances("t", Some(&json!({"matrix": [{"A": (0..15).collect::<Vec<_>>(), "B": (0..15).collect::<Vec<_>>()}]})), &order)
            .is_err());
    }
}
