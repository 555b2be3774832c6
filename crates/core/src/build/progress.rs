//! Folds the engine's build stream, BuildKit traces or the classic builder's `Step n/m` text,
//! into steps with state, timing and log lines, and explains a failure by its Dockerfile line.

use super::dockerfile::{line_in_message, Dockerfile};
use super::model::{BuildEvent, BuildStep, Builder, StepState};
use super::status::{self, Vertex};
use crate::containers::logs::MAX_LINE;
use crate::error::Error;
use base64::Engine as _;
use serde::Deserialize;
use std::collections::{HashMap, VecDeque};

/// Lines kept per step for the failure report (the UI keeps its own, longer, copy).
const KEPT_LINES: usize = 200;

/// One JSON line of the engine's `/build` stream.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Message {
    pub id: Option<String>,
    pub stream: Option<String>,
    pub status: Option<String>,
    pub aux: Option<serde_json::Value>,
    pub error: Option<String>,
    #[serde(rename = "errorDetail")]
    pub error_detail: Option<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    pub message: Option<String>,
}

/// How a failed build is reported.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    pub step_id: Option<String>,
    pub line: Option<u32>,
    pub output: Vec<String>,
}

pub(crate) struct Fold {
    dockerfile: Dockerfile,
    has_heredoc: bool,
    steps: Vec<BuildStep>,
    index: HashMap<String, usize>,
    logs: HashMap<String, VecDeque<String>>,
    partial: HashMap<String, String>,
    /// BuildKit's clock at the first vertex, for relative step times.
    origin_ms: Option<u64>,
    /// The classic builder's current step.
    current: Option<String>,
    classic_started: Option<std::time::Instant>,
    pub builder: Option<Builder>,
    pub image_id: Option<String>,
    pub failure: Option<Failure>,
}

impl Fold {
    pub fn new(dockerfile_text: &str) -> Fold {
        Fold {
            dockerfile: Dockerfile::parse(dockerfile_text),
            has_heredoc: dockerfile_text.contains("<<"),
            steps: Vec::new(),
            index: HashMap::new(),
            logs: HashMap::new(),
            partial: HashMap::new(),
            origin_ms: None,
            current: None,
            classic_started: None,
            builder: None,
            image_id: None,
            failure: None,
        }
    }

    /// Apply one message, pushing what the UI should hear into `out`.
    pub fn apply(&mut self, msg: Message, out: &mut Vec<BuildEvent>) {
        if let Some(error) = msg.error_detail.and_then(|d| d.message).or(msg.error) {
            self.fail(&error, out);
            return;
        }
        match (msg.id.as_deref(), msg.aux) {
            (Some("moby.buildkit.trace"), Some(serde_json::Value::String(b64))) => {
                self.builder.get_or_insert(Builder::BuildKit);
                let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok();
                if let Some(status) = decoded.as_deref().and_then(status::decode) {
                    self.apply_status(status, out);
                }
                return;
            }
            (_, Some(aux)) => {
                if let Some(id) = aux.get("ID").and_then(|v| v.as_str()) {
                    self.image_id = Some(id.to_string());
                }
                return;
            }
            _ => {}
        }
        if self.builder == Some(Builder::BuildKit) {
            return; // BuildKit repeats its outcome as text ("Successfully tagged"); steps said it all
        }
        if let Some(text) = msg.stream {
            self.builder.get_or_insert(Builder::Classic);
            for line in text.lines() {
                self.apply_classic_line(line, out);
            }
        } else if let (Some(status), Some(current)) = (msg.status, self.current.clone()) {
            // Pull progress of a FROM under the classic builder: keep the headline only.
            if msg.id.is_none() {
                self.log(&current, vec![status], out);
            }
        }
    }

    fn apply_status(&mut self, status: status::Status, out: &mut Vec<BuildEvent>) {
        for v in status.vertexes {
            self.apply_vertex(v, out);
        }
        let mut by_vertex: Vec<(String, Vec<String>)> = Vec::new();
        for log in status.logs {
            let text = String::from_utf8_lossy(&log.data).into_owned();
            let lines = self.split_lines(&log.vertex, &text);
            match by_vertex.iter_mut().find(|(v, _)| *v == log.vertex) {
                Some((_, acc)) => acc.extend(lines),
                None => by_vertex.push((log.vertex, lines)),
            }
        }
        for (vertex, lines) in by_vertex {
            self.log(&vertex, lines, out);
        }
    }

    fn apply_vertex(&mut self, v: Vertex, out: &mut Vec<BuildEvent>) {
        if let Some(started) = v.started {
            self.origin_ms = Some(self.origin_ms.map_or(started, |o| o.min(started)));
        }
        let origin = self.origin_ms.unwrap_or(0);
        let state = match (v.error.is_empty(), v.completed, v.cached) {
            (false, _, _) => StepState::Failed,
            (true, _, true) => StepState::Cached,
            (true, Some(_), false) => StepState::Done,
            (true, None, false) => StepState::Running,
        };
        // A vertex not yet started is only announced; show it as running once it starts.
        if v.started.is_none() && state == StepState::Running && !self.index.contains_key(&v.digest) {
            return;
        }
        let step = BuildStep {
            line: self.dockerfile.line_of_vertex(&v.name),
            internal: v.name.starts_with("[internal]") || !v.name.starts_with('['),
            id: v.digest,
            name: v.name,
            state,
            started_ms: v.started.map(|s| s.saturating_sub(origin)),
            duration_ms: match (v.started, v.completed) {
                (Some(s), Some(c)) => Some(c.saturating_sub(s)),
                _ => None,
            },
        };
        if !v.error.is_empty() {
            self.logs.entry(step.id.clone()).or_default();
        }
        self.upsert(step, out);
    }

    fn apply_classic_line(&mut self, line: &str, out: &mut Vec<BuildEvent>) {
        let started = *self.classic_started.get_or_insert_with(std::time::Instant::now);
        let now_ms = started.elapsed().as_millis() as u64;
        if let Some(rest) = line.strip_prefix("Step ") {
            if let Some((position, name)) = rest.split_once(" : ") {
                self.finish_classic_step(now_ms, out);
                let number: usize = position.split('/').next().and_then(|n| n.parse().ok()).unwrap_or(0);
                let id = format!("step-{number}");
                self.current = Some(id.clone());
                let step = BuildStep {
                    id,
                    name: name.to_string(),
                    line: self.dockerfile.line_of_step(number),
                    state: StepState::Running,
                    internal: false,
                    started_ms: Some(now_ms),
                    duration_ms: None,
                };
                self.upsert(step, out);
                return;
            }
        }
        let trimmed = line.trim();
        if trimmed == "---> Using cache" {
            if let Some(step) = self.current_step_mut() {
                step.state = StepState::Cached;
            }
            return;
        }
        if let Some(id) = trimmed.strip_prefix("Successfully built ") {
            self.finish_classic_step(now_ms, out);
            self.image_id.get_or_insert_with(|| id.to_string());
            return;
        }
        if trimmed.starts_with("---> ")
            || trimmed.starts_with("Removing intermediate container")
            || trimmed.starts_with("Successfully tagged")
        {
            return;
        }
        if let Some(current) = self.current.clone() {
            self.log(&current, vec![line.to_string()], out);
        }
    }

    fn finish_classic_step(&mut self, now_ms: u64, out: &mut Vec<BuildEvent>) {
        let Some(step) = self.current_step_mut() else { return };
        if step.duration_ms.is_some() {
            return; // already closed ("Successfully built", then the end of the stream)
        }
        if step.state == StepState::Running {
            step.state = StepState::Done;
        }
        step.duration_ms = step.started_ms.map(|s| now_ms.saturating_sub(s));
        let step = step.clone();
        out.push(BuildEvent::Step { step });
    }

    fn current_step_mut(&mut self) -> Option<&mut BuildStep> {
        let i = *self.index.get(self.current.as_ref()?)?;
        self.steps.get_mut(i)
    }

    fn upsert(&mut self, step: BuildStep, out: &mut Vec<BuildEvent>) {
        match self.index.get(&step.id) {
            Some(&i) if self.steps[i] == step => return,
            Some(&i) => self.steps[i] = step.clone(),
            None => {
                self.index.insert(step.id.clone(), self.steps.len());
                self.steps.push(step.clone());
            }
        }
        out.push(BuildEvent::Step { step });
    }

    /// Whole lines of a vertex's output; a partial last line waits for its end, or is cut
    /// at [`MAX_LINE`] bytes (as container logs are) so output without newlines stays bounded.
    /// Only the new text is scanned.
    fn split_lines(&mut self, vertex: &str, text: &str) -> Vec<String> {
        let pending = self.partial.entry(vertex.to_string()).or_default();
        let mut lines = Vec::new();
        for piece in text.split_inclusive('\n') {
            let (mut piece, ended) = match piece.strip_suffix('\n') {
                Some(p) => (p, true),
                None => (piece, false),
            };
            while pending.len() + piece.len() > MAX_LINE {
                let mut at = MAX_LINE - pending.len();
                while !piece.is_char_boundary(at) {
                    at -= 1;
                }
                pending.push_str(&piece[..at]);
                lines.push(std::mem::take(pending));
                piece = &piece[at..];
            }
            pending.push_str(piece);
            if ended {
                let line = std::mem::take(pending);
                lines.push(line.strip_suffix('\r').map(str::to_string).unwrap_or(line));
            }
        }
        lines
    }

    fn log(&mut self, step_id: &str, lines: Vec<String>, out: &mut Vec<BuildEvent>) {
        if lines.is_empty() {
            return;
        }
        let kept = self.logs.entry(step_id.to_string()).or_default();
        for line in &lines {
            if kept.len() == KEPT_LINES {
                kept.pop_front();
            }
            kept.push_back(line.clone());
        }
        out.push(BuildEvent::Log { step_id: step_id.to_string(), lines });
    }

    /// Flush partial log lines and close a still-running classic step (end of stream).
    pub fn finish(&mut self, out: &mut Vec<BuildEvent>) {
        let partial: Vec<(String, String)> = self.partial.drain().filter(|(_, p)| !p.is_empty()).collect();
        for (vertex, text) in partial {
            self.log(&vertex, vec![text], out);
        }
        if self.failure.is_none() {
            let now = self.classic_started.map_or(0, |s| s.elapsed().as_millis() as u64);
            self.finish_classic_step(now, out);
        }
    }

    /// The stream broke off (the engine went away): the steps still running failed with
    /// `error`, and the failure names the last of them, with what it printed.
    pub fn interrupt(&mut self, error: Error, out: &mut Vec<BuildEvent>) -> Failure {
        let mut failed = None;
        for step in self.steps.iter_mut().filter(|s| s.state == StepState::Running) {
            step.state = StepState::Failed;
            out.push(BuildEvent::Step { step: step.clone() });
            failed = Some(step.clone());
        }
        let output = failed.as_ref().and_then(|s| self.logs.get(&s.id)).map(|l| l.iter().cloned().collect()).unwrap_or_default();
        Failure { error, line: failed.as_ref().and_then(|s| s.line), step_id: failed.map(|s| s.id), output }
    }

    fn fail(&mut self, engine_message: &str, out: &mut Vec<BuildEvent>) {
        let mut failed = self.steps.iter().rev().find(|s| s.state == StepState::Failed).cloned();
        if failed.is_none() {
            if let Some(step) = self.current_step_mut() {
                step.state = StepState::Failed;
                let step = step.clone();
                out.push(BuildEvent::Step { step: step.clone() });
                failed = Some(step);
            }
        }
        // Flush what the failing step printed last.
        let partial: Vec<(String, String)> = self.partial.drain().filter(|(_, p)| !p.is_empty()).collect();
        for (vertex, text) in partial {
            self.log(&vertex, vec![text], out);
        }
        let parse_line = line_in_message(engine_message);
        let line = parse_line.or(failed.as_ref().and_then(|s| s.line));
        let output = failed.as_ref().and_then(|s| self.logs.get(&s.id)).map(|l| l.iter().cloned().collect()).unwrap_or_default();
        let message = explain(engine_message, failed.as_ref(), parse_line, line, self.has_heredoc);
        self.failure = Some(Failure {
            error: Error::Build { message, detail: engine_message.to_string() },
            step_id: failed.map(|s| s.id),
            line,
            output,
        });
    }
}

/// A sentence for a failed build: where (the Dockerfile line) and what to do.
fn explain(engine: &str, step: Option<&BuildStep>, parse_line: Option<u32>, line: Option<u32>, has_heredoc: bool) -> String {
    let reason = short(engine);
    let lower = engine.to_ascii_lowercase();
    if let (Some(n), true) = (parse_line, lower.contains("parse error") || lower.contains("unknown instruction")) {
        let hint = if has_heredoc {
            " If that line is inside a heredoc (<<EOF), this engine's built-in Dockerfile frontend predates heredocs: use Docker Engine 23 or newer, or write the commands on the RUN line."
        } else {
            ""
        };
        return format!("The Dockerfile has an error on line {n}: {reason}. Fix it and build again.{hint}");
    }
    let at = line.map(|n| format!(" (Dockerfile line {n})")).unwrap_or_default();
    let Some(step) = step else {
        return format!("The build failed{at}: {reason}.");
    };
    let name = step_text(&step.name);
    let hint = if lower.contains("not found") && (name.starts_with("COPY") || name.starts_with("ADD")) {
        " The source is not in the build context: check the path, and that .dockerignore does not leave it out."
    } else {
        " Its output is shown below."
    };
    format!("“{name}”{at} failed: {reason}.{hint}")
}

/// `[build 2/3] RUN make` → `RUN make`.
fn step_text(name: &str) -> &str {
    match name.strip_prefix('[') {
        Some(rest) => rest.split_once("] ").map_or(name, |(_, t)| t),
        None => name,
    }
}

/// The engine's message without its plumbing: prefixes, and the command repeated back
/// ("executor failed running [/bin/sh -c …]: exit code: 2" → "exit code 2").
fn short(message: &str) -> String {
    let mut m = message.trim();
    for prefix in [
        "failed to solve with frontend dockerfile.v0: ",
        "failed to solve: ",
        "failed to create LLB definition: ",
        "rpc error: code = Unknown desc = ",
    ] {
        m = m.strip_prefix(prefix).unwrap_or(m);
    }
    let code = m
        .rsplit_once("exit code: ")
        .filter(|_| m.starts_with("executor failed running") || m.starts_with("process "))
        .or_else(|| m.rsplit_once("returned a non-zero code: ").filter(|_| m.starts_with("The command")))
        .map(|(_, code)| code.trim());
    match code {
        Some(code) => format!("exit code {code}"),
        None => m.trim_end_matches('.').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(text: &str) -> Message {
        Message { stream: Some(text.into()), ..Default::default() }
    }

    #[test]
    fn classic_steps_logs_and_cache() {
        let mut fold = Fold::new("FROM x\nRUN a\n\nRUN b\n");
        let mut out = Vec::new();
        for text in [
            "Step 1/3 : FROM x\n",
            " ---> abc\n",
            "Step 2/3 : RUN a\n",
            " ---> Using cache\n",
            "Step 3/3 : RUN b\n",
            " ---> Running in 1\n",
            "hello\n",
            "Successfully built 0123\n",
        ] {
            fold.apply(stream(text), &mut out);
        }
        fold.finish(&mut out);
        assert_eq!(fold.builder, Some(Builder::Classic));
        assert_eq!(fold.image_id.as_deref(), Some("0123"));
        let states: Vec<_> = fold.steps.iter().map(|s| (s.line, s.state)).collect();
        assert_eq!(states, [(Some(1), StepState::Done), (Some(2), StepState::Cached), (Some(4), StepState::Done)]);
        assert!(out.iter().any(|e| matches!(e, BuildEvent::Log { step_id, lines } if step_id == "step-3" && lines == &["hello"])));
    }

    #[test]
    fn buildkit_output_without_newlines_is_cut_at_the_cap() {
        let mut fold = Fold::new("FROM x\n");
        let mut lines = Vec::new();
        for _ in 0..40 {
            lines.extend(fold.split_lines("v", &"y".repeat(1024)));
        }
        assert_eq!(lines.iter().map(String::len).collect::<Vec<_>>(), [MAX_LINE, MAX_LINE]);
        lines.extend(fold.split_lines("v", "z\r\né"));
        assert_eq!(lines[2].len(), 40 * 1024 - 2 * MAX_LINE + 1);
        assert!(lines[2].ends_with('z'));
        assert_eq!(fold.partial["v"], "é");
    }

    #[test]
    fn classic_failure_points_at_the_step_line() {
        let mut fold = Fold::new("FROM x\n\nRUN exit 3\n");
        let mut out = Vec::new();
        fold.apply(stream("Step 1/2 : FROM x\n"), &mut out);
        fold.apply(stream("Step 2/2 : RUN exit 3\n"), &mut out);
        fold.apply(stream("oops\n"), &mut out);
        fold.apply(
            Message { error: Some("The command '/bin/sh -c exit 3' returned a non-zero code: 3".into()), ..Default::default() },
            &mut out,
        );
        let f = fold.failure.unwrap();
        assert_eq!((f.line, f.step_id.as_deref(), f.output), (Some(3), Some("step-2"), vec!["oops".to_string()]));
        assert_eq!(f.error.to_string(), "“RUN exit 3” (Dockerfile line 3) failed: exit code 3. Its output is shown below.");
    }

    #[test]
    fn parse_errors_name_the_line() {
        let mut fold = Fold::new("FROM x\nRUN <<EOF\necho\nEOF\n");
        let mut out = Vec::new();
        let msg = "failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 3: unknown instruction: ECHO";
        fold.apply(Message { error: Some(msg.into()), ..Default::default() }, &mut out);
        let f = fold.failure.unwrap();
        assert_eq!(f.line, Some(3));
        let text = f.error.to_string();
        assert!(
            text.starts_with("The Dockerfile has an error on line 3: dockerfile parse error line 3: unknown instruction: ECHO."),
            "{text}"
        );
        assert!(text.contains("heredoc"));
    }
}
