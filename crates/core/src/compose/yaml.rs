//! YAML 1.2 to JSON values, keeping the line of every key so errors can point at it.
//! Anchors, aliases and `<<` merge keys are resolved here; Compose's `!reset` and `!override`
//! tags are recorded by path for the merge. GitLab CI's `!reference [job, key]` is kept as a
//! one-key object `{"!reference": [...]}` (see [`parse_gitlab`]) for the pipeline loader.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// One YAML document as a JSON tree.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub value: Value,
    /// Dotted path (`services.web.ports.0`) to its 1-based line.
    pub lines: HashMap<String, usize>,
    /// Paths tagged `!reset` (drop what earlier files set) and `!override` (replace, not merge).
    pub resets: HashSet<String>,
    pub overrides: HashSet<String>,
    /// GitLab files only: each mapping's keys in file order, by path (`""` = top level), as
    /// JSON maps here are sorted and GitLab names matrix jobs in key order.
    pub order: HashMap<String, Vec<String>>,
}

impl Doc {
    /// The line of `path`, or of its closest ancestor that has one.
    pub fn line(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.lines.get(p) {
                return Some(*l);
            }
            p = &p[..p.rfind('.')?];
        }
    }
}

/// A YAML syntax error, or a key that is not a string.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub line: usize,
    pub message: String,
}

type Events<'a> = std::iter::Peekable<Parser<'a, saphyr_parser::StrInput<'a>>>;

/// Deeper nesting is refused: no compose file needs it, and the tree is walked recursively.
pub const MAX_DEPTH: usize = 128;
/// At most this many nodes per file once aliases are expanded (a few hundred bytes of nested
/// aliases would otherwise expand to gigabytes, the "billion laughs").
pub const MAX_NODES: usize = 250_000;

struct Reader<'a> {
    events: Events<'a>,
    /// Each anchor's value, its size in nodes and its depth.
    anchors: HashMap<usize, (Value, usize, usize)>,
    doc: Doc,
    depth: usize,
    /// Nodes produced so far, aliases counted at their expanded size.
    nodes: usize,
    /// Keep `!reference` sequences as [`REFERENCE`] objects (GitLab CI files).
    references: bool,
}

/// The key of the object a `!reference [..]` sequence becomes with [`parse_gitlab`].
pub const REFERENCE: &str = "!reference";

/// Every document in `text` (Compose merges them in order).
pub fn parse(text: &str) -> Result<Vec<Doc>, YamlError> {
    read(text, false)
}

/// Like [`parse`], keeping GitLab CI's `!reference` tags as [`REFERENCE`] objects.
pub fn parse_gitlab(text: &str) -> Result<Vec<Doc>, YamlError> {
    read(text, true)
}

fn read(text: &str, references: bool) -> Result<Vec<Doc>, YamlError> {
    let mut r = Reader {
        events: Parser::new_from_str(text).peekable(),
        anchors: HashMap::new(),
        doc: Doc::default(),
        depth: 0,
        nodes: 0,
        references,
    };
    let mut docs = Vec::new();
    loop {
        let (event, _) = r.next()?;
        match event {
            Event::DocumentStart(_) => {
                let (event, span) = r.next()?;
                let value = r.node(event, span, "", "")?;
                let (end, _) = r.next()?;
                debug_assert!(matches!(end, Event::DocumentEnd));
                r.doc.value = value;
                docs.push(std::mem::take(&mut r.doc));
                r.anchors.clear();
            }
            Event::StreamEnd => return Ok(docs),
            _ => {}
        }
    }
}

/// How many collections deep `v` is (at most [`MAX_DEPTH`] for a parsed value).
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.events.next() {
            Some(Ok(e)) => Ok(e),
            // saphyr counts `[`/`{` nesting in a u8; say what that means.
            Some(Err(e)) if e.info() == "recursion limit exceeded" => {
                Err(YamlError { line: e.marker().line(), message: "values are nested too deeply".into() })
            }
            Some(Err(e)) => Err(YamlError { line: e.marker().line(), message: e.info().to_string() }),
            None => Ok((Event::StreamEnd, Span::default())),
        }
    }

    /// Counts `n` more nodes against [`MAX_NODES`].
    fn grow(&mut self, n: usize, line: usize) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                line,
                message: format!(
                    "the document expands to more than {MAX_NODES} values (aliases repeated within aliases); Berth stops reading it there"
                ),
            });
        }
        Ok(())
    }

    /// `display` is the path as compose-go prints it in key errors (`config[0]`).
    fn node(&mut self, event: Event<'a>, span: Span, path: &str, display: &str) -> Result<Value, YamlError> {
        let line = span.start.line();
        let collection = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        if collection {
            if self.depth >= MAX_DEPTH {
                return Err(YamlError { line, message: format!("values are nested more than {MAX_DEPTH} levels deep") });
            }
            self.depth += 1;
        }
        let start = self.nodes;
        let (value, anchor) = self.value(event, line, path, display)?;
        if collection {
            self.depth -= 1;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, (value.clone(), self.nodes - start, depth(&value)));
        }
        Ok(value)
    }

    /// The value and its anchor id (0 for none).
    fn value(&mut self, event: Event<'a>, line: usize, path: &str, display: &str) -> Result<(Value, usize), YamlError> {
        self.grow(1, line)?;
        let (value, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                // GitLab reads YAML 1.1 (Ruby's Psych): `yes`/`no`/`on`/`off` are booleans.
                let yaml11 = self.references && style == ScalarStyle::Plain && !forced_str;
                match text.to_ascii_lowercase().as_str() {
                    "yes" | "on" if yaml11 => (Value::Bool(true), anchor),
                    "no" | "off" if yaml11 => (Value::Bool(false), anchor),
                    _ => (scalar(&text, style, forced_str), anchor),
                }
            }
            Event::Alias(id) => {
                let unknown = || YamlError { line, message: "an alias refers to an unknown anchor".into() };
                let (_, size, deep) = self.anchors.get(&id).ok_or_else(unknown)?;
                let (size, deep) = (*size, *deep);
                if self.depth + deep > MAX_DEPTH {
                    return Err(YamlError { line, message: format!("values are nested more than {MAX_DEPTH} levels deep") });
                }
                self.grow(size, line)?;
                (self.anchors[&id].0.clone(), 0)
            }
            Event::SequenceStart(anchor, tag) => {
                let reference = self.references && tag.as_ref().is_some_and(|t| t.suffix == "reference");
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let i = items.len();
                    let p = join(path, &i.to_string());
                    self.doc.lines.insert(p.clone(), span.start.line());
                    items.push(self.node(event, span, &p, &format!("{display}[{i}]"))?);
                }
                let items = Value::Array(items);
                (if reference { serde_json::json!({ REFERENCE: items }) } else { items }, anchor)
            }
            Event::MappingStart(anchor, _) => (Value::Object(self.mapping(path, display)?), anchor),
            other => {
                return Err(YamlError { line, message: format!("unexpected {other:?}") });
            }
        };
        Ok((value, anchor))
    }

    fn mapping(&mut self, path: &str, display: &str) -> Result<Map<String, Value>, YamlError> {
        let mut map = Map::new();
        let mut merged = Vec::new();
        let mut keys = Vec::new();
        loop {
            let (event, span) = self.next()?;
            let line = span.start.line();
            let key = match event {
                Event::MappingEnd => break,
                Event::Scalar(text, style, _, _) => match scalar(&text, style, false) {
                    Value::String(s) => s,
                    other => {
                        let message = if display.is_empty() {
                            format!("non-string key at top level: {other}")
                        } else {
                            format!("non-string key in {display}: {other}")
                        };
                        return Err(YamlError { line, message });
                    }
                },
                _ => return Err(YamlError { line, message: format!("a key in {display} is not a string") }),
            };
            let p = join(path, &key);
            let (event, span) = self.next()?;
            let tag = match &event {
                Event::Scalar(_, _, _, Some(t)) | Event::SequenceStart(_, Some(t)) | Event::MappingStart(_, Some(t)) => {
                    Some(t.suffix.clone())
                }
                _ => None,
            };
            let value = self.node(event, span, &p, &join(display, &key))?;
            if key == "<<" {
                match value {
                    Value::Array(items) => merged.extend(items),
                    v => merged.push(v),
                }
                continue;
            }
            match tag.as_deref() {
                Some("reset") => {
                    self.doc.resets.insert(p.clone());
                }
                Some("override") => {
                    self.doc.overrides.insert(p.clone());
                }
                _ => {}
            }
            self.doc.lines.insert(p, line);
            if self.references {
                keys.push(key.clone());
            }
            map.insert(key, value);
        }
        if self.references {
            self.doc.order.insert(path.to_string(), keys);
        }
        // Explicit keys win over merged ones; earlier merge sources win over later ones.
        for source in merged {
            if let Value::Object(m) = source {
                for (k, v) in m {
                    map.entry(k).or_insert(v);
                }
            }
        }
        Ok(map)
    }
}

/// YAML 1.2 core schema resolution of a scalar, with go-yaml v3's leading-zero octal.
pub fn scalar(text: &str, style: ScalarStyle, forced_str: bool) -> Value {
    if style != ScalarStyle::Plain || forced_str {
        return Value::String(text.to_string());
    }
    plain(text)
}

/// What a plain (unquoted) scalar means.
pub fn plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let digits = |s: &str, radix| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    // A leading zero means octal (`mode: 0440`), as go-yaml v3 reads it for compose-go.
    if unsigned.len() > 1 && unsigned.starts_with('0') && digits(unsigned, 8) {
        if let Ok(i) = i64::from_str_radix(unsigned, 8) {
            return Value::from(if text.starts_with('-') { -i } else { i });
        }
    }
    if digits(unsigned, 10) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::from(i);
        }
    }
    if let Some(h) = text.strip_prefix("0x").filter(|h| digits(h, 16)) {
        if let Ok(i) = i64::from_str_radix(h, 16) {
            return Value::from(i);
        }
    }
    if let Some(o) = text.strip_prefix("0o").filter(|o| digits(o, 8)) {
        if let Ok(i) = i64::from_str_radix(o, 8) {
            return Value::from(i);
        }
    }
    if is_float(unsigned) {
        if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

/// `[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?` or `\.[0-9]+...`
fn is_float(s: &str) -> bool {
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int) && all_digits(frac) && !(int.is_empty() && frac.is_empty());
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok && (mantissa.contains('.') || exp.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_follow_yaml_1_2() {
        let d = &parse("a: yes\nb: 010\nc: 0x1f\nd: 1.5\ne: '1'\nf:\ng: true\nh: 1e3\ni: 1.2.3\n").unwrap()[0];
        // `010` is octal, as go-yaml v3 reads it (compose-go's TestServiceSecrets: `mode: 0440`).
        assert_eq!(d.value, json!({"a": "yes", "b": 8, "c": 31, "d": 1.5, "e": "1", "f": null, "g": true, "h": 1000.0, "i": "1.2.3"}));
        assert_eq!(d.lines["c"], 3);
    }

    #[test]
    fn anchors_merge_keys_and_tags() {
        let text = "x: &base\n  image: a\n  init: true\ns:\n  <<: *base\n  image: b\n  volumes: !reset []\n";
        let d = &parse(text).unwrap()[0];
        assert_eq!(d.value["s"], json!({"image": "b", "init": true, "volumes": []}));
        assert!(d.resets.contains("s.volumes"));
        assert_eq!(d.line("s.volumes.0"), Some(7));
    }

    #[test]
    fn errors_carry_lines() {
        let e = parse("services:\n  foo:\n    image: busybox\n  123:\n    image: x\n").unwrap_err();
        assert_eq!(e, YamlError { line: 4, message: "non-string key in services: 123".into() });
        assert!(parse("a: [b\n").is_err());
    }
}
