//! Just enough Dockerfile parsing for the build form and for pointing at lines: instructions
//! with their line numbers (continuations, comments, the `escape` directive and heredoc bodies
//! are skipped like BuildKit's parser does), stages (`FROM … AS name`) and `ARG`s.

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased keyword (`RUN`, `COPY`, …).
    pub keyword: String,
    /// The arguments as written, continuation lines joined with a space.
    pub args: String,
    /// 1-based line where the instruction starts.
    pub line: u32,
    /// Index of the stage it belongs to; `None` for `ARG`s before the first `FROM`.
    pub stage: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "BuildStage")]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    /// The `AS` name, if any.
    pub name: Option<String>,
    pub base: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BuildArg {
    pub name: String,
    pub default: Option<String>,
    pub line: u32,
}

/// What the build form needs from a Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        let mut escape = '\\';
        let mut in_directives = true;
        let mut out = Dockerfile::default();
        let mut lines = text.lines().enumerate().map(|(i, l)| (i as u32 + 1, l));
        while let Some((no, raw)) = lines.next() {
            let line = raw.trim_start();
            if let Some(comment) = line.strip_prefix('#') {
                if in_directives {
                    if let Some((key, value)) = comment.split_once('=') {
                        if key.trim().eq_ignore_ascii_case("escape") {
                            escape = value.trim().chars().next().unwrap_or('\\');
                        }
                        continue;
                    }
                }
                in_directives = false;
                continue;
            }
            in_directives = false;
            if line.trim().is_empty() {
                continue;
            }
            let mut joined = String::new();
            let mut current = line.trim_end().to_string();
            loop {
                match current.strip_suffix(escape) {
                    Some(body) => {
                        joined.push_str(body.trim_end());
                        joined.push(' ');
                        // Comment and empty lines inside a continuation are skipped.
                        match lines.by_ref().find(|(_, l)| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
                            Some((_, next)) => current = next.trim().to_string(),
                            None => break,
                        }
                    }
                    None => {
                        joined.push_str(&current);
                        break;
                    }
                }
            }
            let (keyword, args) = joined.split_once(char::is_whitespace).unwrap_or((&joined, ""));
            let keyword = keyword.to_ascii_uppercase();
            let args = args.trim().to_string();
            for terminator in heredoc_terminators(&keyword, &args) {
                lines.by_ref().find(|(_, l)| l.trim_start_matches('\t') == terminator);
            }
            if keyword == "FROM" {
                let words: Vec<&str> = args.split_whitespace().filter(|w| !w.starts_with("--")).collect();
                let name = match words.as_slice() {
                    [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => Some(name.to_string()),
                    _ => None,
                };
                out.stages.push(Stage { name, base: words.first().unwrap_or(&"").to_string(), line: no });
            }
            let stage = out.stages.len().checked_sub(1);
            out.instructions.push(Instruction { keyword, args, line: no, stage });
        }
        out
    }

    /// Build arguments in order of appearance, each name once (the first default wins, as
    /// the first `ARG` is what the user sees first).
    pub fn args(&self) -> Vec<BuildArg> {
        let mut out: Vec<BuildArg> = Vec::new();
        for i in self.instructions.iter().filter(|i| i.keyword == "ARG") {
            for word in shell_words::split(&i.args).unwrap_or_default() {
                let (name, default) = match word.split_once('=') {
                    Some((n, d)) => (n.to_string(), Some(d.to_string())),
                    None => (word.clone(), None),
                };
                if !out.iter().any(|a| a.name == name) {
                    out.push(BuildArg { name, default, line: i.line });
                }
            }
        }
        out
    }

    /// The images the stages start `FROM`, with their lines: meta-`ARG`s (those before the first
    /// `FROM`) expanded, `args` winning over their defaults; earlier stages and `scratch` left out,
    /// as are names still holding an unknown variable. Each image once.
    pub fn base_images(&self, args: &BTreeMap<String, String>) -> Vec<(String, u32)> {
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for i in self.instructions.iter().take_while(|i| i.stage.is_none()).filter(|i| i.keyword == "ARG") {
            for word in shell_words::split(&i.args).unwrap_or_default() {
                let (name, default) = word.split_once('=').map_or((word.as_str(), None), |(n, d)| (n, Some(d)));
                if let Some(value) = args.get(name).map(String::as_str).or(default) {
                    vars.insert(name.to_string(), value.to_string());
                }
            }
        }
        let mut out: Vec<(String, u32)> = Vec::new();
        for (n, stage) in self.stages.iter().enumerate() {
            let Some(image) = expand(&stage.base, &vars) else { continue };
            let earlier = self.stages[..n].iter().any(|s| s.name.as_deref().is_some_and(|name| name.eq_ignore_ascii_case(&image)));
            if !earlier && !image.eq_ignore_ascii_case("scratch") && !out.iter().any(|(i, _)| *i == image) {
                out.push((image, stage.line));
            }
        }
        out
    }

    /// The line of a classic-builder step ("Step 3/7"), 1-based over all instructions.
    pub fn line_of_step(&self, step: usize) -> Option<u32> {
        self.instructions.get(step.checked_sub(1)?).map(|i| i.line)
    }

    /// The line a BuildKit vertex name points at: `[stage-1 2/4] RUN make` or `[2/4] RUN make`
    /// (the n-th instruction of that stage, `FROM` being the first).
    pub fn line_of_vertex(&self, vertex: &str) -> Option<u32> {
        let inner = vertex.strip_prefix('[')?;
        let (label, text) = inner.split_once("] ")?;
        let (stage_name, position) = match label.trim().rsplit_once(' ') {
            Some((stage, pos)) => (Some(stage.trim()), pos),
            None => (None, label.trim()),
        };
        let index: usize = position.split_once('/')?.0.trim().parse().ok()?;
        let stage = match stage_name {
            Some(name) => self
                .stages
                .iter()
                .enumerate()
                .position(|(i, s)| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)) || format!("stage-{i}") == name)?,
            None if self.stages.len() == 1 => 0,
            // Unprefixed names in a multi-stage file: find the instruction by its text.
            None => return self.instructions.iter().find(|i| text.starts_with(&format!("{} {}", i.keyword, i.args))).map(|i| i.line),
        };
        // BuildKit numbers only the instructions that become build operations.
        self.instructions
            .iter()
            .filter(|i| i.stage == Some(stage) && matches!(i.keyword.as_str(), "FROM" | "RUN" | "COPY" | "ADD" | "WORKDIR"))
            .nth(index.checked_sub(1)?)
            .map(|i| i.line)
    }
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alternative}` as the Dockerfile
/// frontend expands them in `FROM`; None when a variable is unknown (BuildKit reports it).
fn expand(text: &str, vars: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (expr, after) = match rest.strip_prefix('{') {
            Some(braced) => braced.split_once('}')?,
            None => {
                let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        let value = match (expr.split_once(":-"), expr.split_once(":+")) {
            (Some((name, default)), _) => vars.get(name).filter(|v| !v.is_empty()).cloned().unwrap_or_else(|| default.to_string()),
            (_, Some((name, alt))) => vars.get(name).filter(|v| !v.is_empty()).map(|_| alt.to_string()).unwrap_or_default(),
            _ => vars.get(expr)?.clone(),
        };
        out.push_str(&value);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// The terminators of heredocs opened on a RUN/COPY/ADD line (`<<EOF`, `<<-"EOF"`).
fn heredoc_terminators(keyword: &str, args: &str) -> Vec<String> {
    if !matches!(keyword, "RUN" | "COPY" | "ADD") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        rest = &rest[at + 2..];
        let word: String =
            rest.trim_start_matches('-').chars().take_while(|c| !c.is_whitespace()).filter(|c| *c != '"' && *c != '\'').collect();
        if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(word);
        }
    }
    out
}

/// The line number in an engine's parse error ("dockerfile parse error line 4: …",
/// "Dockerfile:4").
pub fn line_in_message(message: &str) -> Option<u32> {
    let lower = message.to_ascii_lowercase();
    for marker in ["error line ", "dockerfile:"] {
        if let Some(at) = lower.find(marker) {
            let digits: String = lower[at + marker.len()..].chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_images_expand_meta_args_and_skip_stages() {
        let file = Dockerfile::parse(
            "ARG REG=registry.local:5000\nARG TAG\nFROM ${REG}/base:${TAG:-1} AS build\nARG LATER=x\nFROM build\nFROM scratch\nFROM $UNKNOWN/x\nFROM busybox AS b\nFROM $REG/base:1\n",
        );
        assert_eq!(file.base_images(&BTreeMap::new()), [("registry.local:5000/base:1".to_string(), 3), ("busybox".to_string(), 8)]);
        let args = BTreeMap::from([("TAG".to_string(), "2".to_string()), ("REG".to_string(), "ghcr.io/me".to_string())]);
        assert_eq!(file.base_images(&args)[0], ("ghcr.io/me/base:2".to_string(), 3));
    }

    const FILE: &str = "# syntax=docker/dockerfile:1\nARG BASE=busybox\nFROM $BASE AS build\nARG VERSION=1.0 \\\n    MODE\nRUN echo a \\\n  # a comment\n  && echo b\nRUN <<EOF\necho x\nEOF\nFROM build AS final\nARG VERSION=2.0\nCOPY --from=build /x /y\n";

    #[test]
    fn stages_args_and_lines() {
        let d = Dockerfile::parse(FILE);
        let names: Vec<_> = d.stages.iter().map(|s| s.name.clone().unwrap()).collect();
        assert_eq!(names, ["build", "final"]);
        assert_eq!(d.stages[0].line, 3);
        let args: Vec<_> = d.args().into_iter().map(|a| (a.name, a.default)).collect();
        assert_eq!(args, [("BASE".into(), Some("busybox".into())), ("VERSION".into(), Some("1.0".into())), ("MODE".into(), None)]);
        let lines: Vec<_> = d.instructions.iter().map(|i| (i.keyword.as_str(), i.line)).collect();
        assert_eq!(lines, [("ARG", 2), ("FROM", 3), ("ARG", 4), ("RUN", 6), ("RUN", 9), ("FROM", 12), ("ARG", 13), ("COPY", 14)]);
        assert_eq!(d.instructions[3].args, "echo a && echo b");
    }

    #[test]
    fn vertex_and_step_lines() {
        let d = Dockerfile::parse(FILE);
        assert_eq!(d.line_of_vertex("[build 2/3] RUN echo a && echo b"), Some(6));
        assert_eq!(d.line_of_vertex("[final 2/2] COPY --from=build /x /y"), Some(14));
        assert_eq!(d.line_of_vertex("[stage-1 2/2] COPY --from=build /x /y"), Some(14));
        let wide = Dockerfile::parse(&format!("FROM x\n{}", "RUN a\n".repeat(11)));
        assert_eq!(wide.line_of_vertex("[ 3/12] RUN a"), Some(3));
        assert_eq!(d.line_of_vertex("[build  2/3] RUN echo a && echo b"), Some(6));
        assert_eq!(d.line_of_vertex("[internal] load build context"), None);
        assert_eq!(d.line_of_step(4), Some(6));
        let single = Dockerfile::parse("FROM x\nRUN a\n\nRUN b\n");
        assert_eq!(single.line_of_vertex("[3/3] RUN b"), Some(4));
    }

    #[test]
    fn escape_directive_and_parse_errors() {
        let d = Dockerfile::parse("# escape=`\nFROM x\nRUN a `\n  b\nCMD c\n");
        assert_eq!(d.instructions.iter().map(|i| i.line).collect::<Vec<_>>(), [2, 3, 5]);
        assert_eq!(line_in_message("failed to create LLB definition: dockerfile parse error line 4: unknown instruction: ECHO"), Some(4));
        assert_eq!(line_in_message("no line"), None);
    }
}
