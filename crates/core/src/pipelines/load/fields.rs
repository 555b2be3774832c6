//! Reading typed values out of the merged configuration with GitLab's checks: scripts
//! (nested lists flattened, at most 10 levels), string lists, durations, `when`.

use crate::pipelines::model::When;
use serde_json::Value;
use std::time::Duration;

/// GitLab flattens script lists nested up to this deep.
const MAX_SCRIPT_NESTING: usize = 10;

/// A script (`string` or nested lists of strings) as lines; `Err` is GitLab's sentence after
/// `<key> config ` (the caller adds the location).
pub fn script(v: &Value) -> Result<Vec<String>, String> {
    fn walk(v: &Value, depth: usize, out: &mut Vec<String>) -> bool {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Bool(b) => out.push(b.to_string()),
            Value::Array(a) if depth < MAX_SCRIPT_NESTING => return a.iter().all(|i| walk(i, depth + 1, out)),
            _ => return false,
        }
        true
    }
    let mut out = Vec::new();
    if walk(v, 0, &mut out) {
        Ok(out)
    } else {
        Err(format!("should be a string or a nested array of strings up to {MAX_SCRIPT_NESTING} levels deep"))
    }
}

/// A string or a list of strings.
pub fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => a.iter().map(scalar).collect(),
        _ => None,
    }
}

/// A string, number or boolean as text (YAML scalars GitLab accepts where it wants a string).
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// GitLab's durations (ChronicDuration): `3600`, `30s`, `1h 30m`, `2 days`, `1 week and 2 hours`.
pub fn duration(v: &Value) -> Option<Duration> {
    let text = match v {
        Value::Number(n) => return n.as_u64().map(Duration::from_secs),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => return None,
    };
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let mut total = 0f64;
    let mut number: Option<f64> = None;
    let mut rest = text.as_str();
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            break;
        }
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len > 0 {
            if number.is_some() {
                return None;
            }
            number = Some(rest[..num_len].parse().ok()?);
            rest = &rest[num_len..];
            continue;
        }
        let word_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let word = &rest[..word_len];
        rest = &rest[word_len..];
        if word == "and" {
            continue;
        }
        let unit = match word {
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
            "d" | "day" | "days" => 86_400.0,
            "w" | "wk" | "wks" | "week" | "weeks" => 604_800.0,
            "mo" | "mos" | "month" | "months" => 2_592_000.0,
            "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
            _ => return None,
        };
        total += number.take()? * unit;
        any = true;
    }
    if number.is_some() || !any || total > 1e12 {
        return None;
    }
    Some(Duration::from_secs(total as u64))
}

/// `when:` for a job or a rule; `start_in` is needed for `delayed`. `Err` names what is wrong.
pub fn when(v: &Value, start_in: Option<&Value>) -> Result<When, String> {
    Ok(match v.as_str() {
        Some("on_success") => When::OnSuccess,
        Some("on_failure") => When::OnFailure,
        Some("always") => When::Always,
        Some("manual") => When::Manual,
        Some("never") => When::Never,
        Some("delayed") => {
            let start_in = start_in.ok_or("start_in should be specified for delayed job")?;
            let d = duration(start_in).ok_or("start_in should be a duration")?;
            if d > Duration::from_secs(7 * 86_400) {
                return Err("start_in should be a duration of at most one week".into());
            }
            When::Delayed { start_in: d }
        }
        _ => return Err(format!("when unknown value: {}", scalar(v).unwrap_or_else(|| v.to_string()))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scripts_flatten_up_to_ten_levels() {
        assert_eq!(script(&json!(["a", ["b", ["c"]], "d"])).unwrap(), ["a", "b", "c", "d"]);
        let mut deep = json!("x");
        for _ in 0..10 {
            deep = json!([deep]);
        }
        assert!(script(&deep).is_ok());
        assert!(script(&json!([deep])).is_err());
        assert!(script(&json!({"a": 1})).is_err());
    }

    #[test]
    fn durations_as_gitlab_reads_them() {
        let d = |s: &str| duration(&json!(s)).map(|d| d.as_secs());
        assert_eq!(d("3600"), Some(3600));
        assert_eq!(d("1h 30m"), Some(5400));
        assert_eq!(d("2 days"), Some(172_800));
        assert_eq!(d("1 week and 2 hours"), Some(612_000));
        assert_eq!(d("30 seconds"), Some(30));
        assert_eq!(d("soon"), None);
        assert_eq!(d("10"), Some(10));
        assert_eq!(duration(&json!(90)).map(|d| d.as_secs()), Some(90));
    }

    #[test]
    fn delayed_needs_start_in() {
        assert_eq!(when(&json!("delayed"), Some(&json!("5 minutes"))), Ok(When::Delayed { start_in: Duration::from_secs(300) }));
        assert!(when(&json!("delayed"), None).is_err());
        assert!(when(&json!("delayed"), Some(&json!("2 weeks"))).is_err());
        assert!(when(&json!("sometimes"), None).is_err());
    }
}
