//! `.env` and `env_file` files as Compose reads them: `KEY=value`, `export KEY=value`,
//! `KEY: value`, single quotes literal, double quotes with escapes, `# comments`, a bare
//! `KEY` inheriting from the environment, and `${VAR}` expanded from earlier lines first.

use super::interpolate::{substitute, TemplateError};
use std::collections::BTreeMap;

/// Parse `text`; `env` answers bare keys and variables not defined earlier in the file.
pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<BTreeMap<String, String>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut vars = BTreeMap::new();
    let mut rest = text;
    let mut line_no = 0;
    while !rest.is_empty() {
        let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
        line_no += 1;
        rest = tail;
        let line = line.trim_start();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map(str::trim_start).unwrap_or(line);
        let sep = line.find(['=', ':']);
        let Some(sep) = sep else {
            let key = line.trim();
            if key.contains(char::is_whitespace) {
                return Err(format!("line {line_no}: unexpected character in variable name {key:?}"));
            }
            if let Some(v) = vars.get(key).cloned().or_else(|| env(key)) {
                vars.insert(key.to_string(), v);
            }
            continue;
        };
        let key = line[..sep].trim().to_string();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("line {line_no}: unexpected character in variable name {key:?}"));
        }
        let raw = line[sep + 1..].trim_start();
        let value = match raw.chars().next() {
            Some(q @ ('\'' | '"')) => {
                // Quoted values may span lines: take the text up to the closing quote.
                let start = raw.as_ptr() as usize - text.as_ptr() as usize + 1;
                let close =
                    start + find_close(&text[start..], q).ok_or_else(|| format!("line {line_no}: unterminated quoted value for {key}"))?;
                let body = &text[start..close];
                line_no += body.matches('\n').count();
                let after = &text[close + 1..];
                rest = after.split_once('\n').map(|(_, t)| t).unwrap_or("");
                if q == '\'' {
                    body.to_string()
                } else {
                    expand(&unescape(body), &vars, env).map_err(|e| format!("line {line_no}: {e}"))?
                }
            }
            _ => {
                let value = match raw.find(" #") {
                    Some(i) => &raw[..i],
                    None => raw,
                };
                expand(value.trim(), &vars, env).map_err(|e| format!("line {line_no}: {e}"))?
            }
        };
        vars.insert(key, value);
    }
    Ok(vars)
}

fn find_close(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if quote == '"' && !escaped => escaped = true,
            c if c == quote && !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn expand(value: &str, vars: &BTreeMap<String, String>, env: &dyn Fn(&str) -> Option<String>) -> Result<String, TemplateError> {
    substitute(value, &mut |k| vars.get(k).cloned().or_else(|| env(k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let text = "# c\nA=1\nexport B='x $A'\nC=\"q\\n${A}\" \nD: y # note\nHOME\nE=\"multi\nline\"\nF=after\n";
        let got = parse(text, &|k| (k == "HOME").then(|| "/h".to_string())).unwrap();
        let want: Vec<(&str, &str)> =
            vec![("A", "1"), ("B", "x $A"), ("C", "q\n1"), ("D", "y"), ("E", "multi\nline"), ("F", "after"), ("HOME", "/h")];
        assert_eq!(got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(), want);
    }
}
