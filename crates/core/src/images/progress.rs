//! Folds the engine's per-layer progress lines of a pull or push into one [`TransferProgress`]:
//! bytes done of bytes known, speed over the last seconds, and what remains.

use super::model::{LayerProgress, TransferProgress};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Speed is measured over this window.
const SPEED_WINDOW: Duration = Duration::from_secs(3);

/// One line of the engine's progress stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Step {
    pub id: Option<String>,
    pub status: String,
    pub current: Option<u64>,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// Download then extract: each layer's bytes count twice.
    Pull,
    Push,
}

#[derive(Debug)]
struct Layer {
    id: String,
    status: String,
    /// Downloaded (pull) or pushed bytes.
    moved: u64,
    extracted: u64,
    total: u64,
    done: bool,
}

pub(crate) struct Fold {
    kind: Kind,
    layers: Vec<Layer>,
    message: String,
    samples: VecDeque<(Instant, u64)>,
}

impl Fold {
    pub fn new(kind: Kind) -> Fold {
        Fold { kind, layers: Vec::new(), message: String::new(), samples: VecDeque::new() }
    }

    /// Apply one step; false when it changed nothing worth showing.
    pub fn apply(&mut self, step: Step) -> bool {
        let key = match (&step.id, self.kind) {
            (Some(id), _) if is_layer_status(&step.status) => id.clone(),
            // The push stream carries no layer id (bollard drops it): tell layers apart by size.
            (_, Kind::Push) if step.status == "Pushing" && step.total.is_some() => format!("{}", step.total.unwrap_or(0)),
            (_, Kind::Push) if is_push_done(&step.status) => {
                if let Some(layer) = self.layers.iter_mut().find(|l| !l.done && l.moved >= l.total) {
                    layer.done = true;
                }
                return true;
            }
            _ => {
                self.message = match &step.id {
                    Some(id) if !step.status.contains(id.as_str()) => format!("{}: {}", id, step.status),
                    _ => step.status,
                };
                return true;
            }
        };
        let index = match self.layers.iter().position(|l| l.id == key) {
            Some(i) => i,
            None => {
                self.layers.push(Layer { id: key, status: String::new(), moved: 0, extracted: 0, total: 0, done: false });
                self.layers.len() - 1
            }
        };
        let layer = &mut self.layers[index];
        if let Some(total) = step.total.filter(|t| *t > 0) {
            layer.total = total;
        }
        match step.status.as_str() {
            "Downloading" | "Pushing" => layer.moved = step.current.unwrap_or(layer.moved).min(layer.total.max(1)),
            "Verifying Checksum" | "Download complete" => layer.moved = layer.total,
            "Extracting" => {
                layer.moved = layer.total;
                layer.extracted = step.current.unwrap_or(layer.extracted);
            }
            "Pull complete" | "Pushed" => {
                layer.moved = layer.total;
                layer.extracted = layer.total;
                layer.done = true;
            }
            s if s == "Already exists" || is_push_done(s) => layer.done = true,
            _ => {}
        }
        layer.status = step.status;
        true
    }

    pub fn snapshot(&mut self, now: Instant) -> TransferProgress {
        let phases = if self.kind == Kind::Pull { 2 } else { 1 };
        let mut total = 0u64;
        let mut done = 0u64;
        let mut moved = 0u64;
        for l in self.layers.iter().filter(|l| !(l.done && l.total == 0)) {
            total += l.total;
            moved += if l.done { l.total } else { l.moved };
            done += if l.done { l.total * phases } else { l.moved + if phases == 2 { l.extracted } else { 0 } };
        }
        let layers_done = self.layers.iter().filter(|l| l.done).count() as u32;
        let layers_total = self.layers.len() as u32;
        let fraction = if total > 0 {
            done as f64 / (total * phases) as f64
        } else if layers_total > 0 {
            layers_done as f64 / layers_total as f64
        } else {
            0.0
        };
        self.samples.push_back((now, moved));
        while self.samples.len() > 2 && now.duration_since(self.samples[0].0) > SPEED_WINDOW {
            self.samples.pop_front();
        }
        let (t0, b0) = self.samples[0];
        let secs = now.duration_since(t0).as_secs_f64();
        let bytes_per_second = if secs > 0.05 { (moved.saturating_sub(b0) as f64 / secs) as u64 } else { 0 };
        TransferProgress {
            fraction: fraction.clamp(0.0, 1.0),
            bytes_done: moved,
            bytes_total: total,
            bytes_per_second,
            remaining_bytes: total.saturating_sub(moved),
            layers_done,
            layers_total,
            message: self.message.clone(),
            layers: self
                .layers
                .iter()
                .map(|l| LayerProgress {
                    id: l.id.clone(),
                    status: l.status.clone(),
                    current: if l.status == "Extracting" { l.extracted } else { l.moved },
                    total: l.total,
                    done: l.done,
                })
                .collect(),
        }
    }
}

fn is_layer_status(status: &str) -> bool {
    matches!(
        status,
        "Pulling fs layer" | "Waiting" | "Downloading" | "Verifying Checksum" | "Download complete" | "Extracting"
            | "Pull complete" | "Already exists" | "Preparing" | "Pushing" | "Pushed" | "Layer already exists"
    ) || status.starts_with("Mounted from")
}

fn is_push_done(status: &str) -> bool {
    status == "Layer already exists" || status.starts_with("Mounted from") || status == "Pushed"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(id: &str, status: &str, current: u64, total: u64) -> Step {
        Step { id: Some(id.into()), status: status.into(), current: Some(current), total: Some(total) }
    }

    #[test]
    fn folds_download_and_extract_into_one_fraction() {
        let mut f = Fold::new(Kind::Pull);
        let t0 = Instant::now();
        f.apply(Step { id: Some("1".into()), status: "Pulling from app".into(), ..Default::default() });
        f.apply(Step { id: Some("a".into()), status: "Pulling fs layer".into(), ..Default::default() });
        f.apply(Step { id: Some("b".into()), status: "Already exists".into(), ..Default::default() });
        f.apply(step("a", "Downloading", 500, 1000));
        let p = f.snapshot(t0);
        assert_eq!((p.bytes_done, p.bytes_total, p.remaining_bytes), (500, 1000, 500));
        assert!((p.fraction - 0.25).abs() < 1e-9, "{}", p.fraction);
        assert_eq!(p.message, "1: Pulling from app");
        f.apply(step("a", "Downloading", 1000, 1000));
        let p = f.snapshot(t0 + Duration::from_secs(1));
        assert_eq!(p.bytes_per_second, 500);
        f.apply(step("a", "Extracting", 500, 1000));
        assert!((f.snapshot(t0).fraction - 0.75).abs() < 1e-9);
        f.apply(Step { id: Some("a".into()), status: "Pull complete".into(), ..Default::default() });
        let p = f.snapshot(t0);
        assert_eq!((p.fraction, p.layers_done, p.layers_total), (1.0, 2, 2));
    }

    #[test]
    fn push_layers_are_told_apart_by_size() {
        let mut f = Fold::new(Kind::Push);
        f.apply(Step { status: "Pushing".into(), current: Some(10), total: Some(100), id: None });
        f.apply(Step { status: "Pushing".into(), current: Some(50), total: Some(300), id: None });
        let p = f.snapshot(Instant::now());
        assert_eq!((p.bytes_done, p.bytes_total, p.layers_total), (60, 400, 2));
    }
}
