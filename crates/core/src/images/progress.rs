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

    /// A push of an image with `layers` layers. bollard's push stream drops the engine's layer
    /// ids, so its lines are matched to numbered slots: bytes by the layer's size (compressed
    /// sizes rarely collide), "Pushed" to a finished upload, "already exists" to one that never
    /// uploaded.
    pub fn push(layers: usize) -> Fold {
        let mut fold = Fold::new(Kind::Push);
        fold.layers = (1..=layers).map(|i| Layer::new(format!("layer {i}"))).collect();
        fold
    }

    /// Apply one step; false when it changed nothing worth showing.
    pub fn apply(&mut self, step: Step) -> bool {
        let index = match (&step.id, self.kind) {
            (Some(id), _) if is_layer_status(&step.status) => match self.layers.iter().position(|l| &l.id == id) {
                Some(i) => i,
                None => {
                    self.layers.push(Layer::new(id.clone()));
                    self.layers.len() - 1
                }
            },
            (None, Kind::Push) if is_layer_status(&step.status) => match self.push_slot(&step) {
                Some(i) => i,
                None => return false,
            },
            _ => {
                self.message = match &step.id {
                    Some(id) if !step.status.contains(id.as_str()) => format!("{}: {}", id, step.status),
                    _ => step.status,
                };
                return true;
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
        let fraction = if self.kind == Kind::Push && layers_total > 0 {
            // Layers that already exist upload nothing: count each layer as an equal share.
            let share = |l: &Layer| {
                if l.done {
                    1.0
                } else if l.total > 0 {
                    l.moved as f64 / l.total as f64
                } else {
                    0.0
                }
            };
            self.layers.iter().map(share).sum::<f64>() / layers_total as f64
        } else if total > 0 {
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

impl Layer {
    fn new(id: String) -> Layer {
        Layer { id, status: String::new(), moved: 0, extracted: 0, total: 0, done: false }
    }
}

impl Fold {
    /// The push slot an id-less line belongs to; None for lines that say nothing per layer.
    fn push_slot(&mut self, step: &Step) -> Option<usize> {
        let open = |want: fn(&Layer) -> bool| self.layers.iter().position(|l| !l.done && want(l));
        let found = match step.status.as_str() {
            "Pushing" => {
                let total = step.total.filter(|t| *t > 0)?;
                self.layers.iter().position(|l| !l.done && l.total == total).or_else(|| open(|l| l.total == 0))
            }
            "Pushed" => open(|l| l.total > 0 && l.moved >= l.total).or_else(|| open(|l| l.total > 0)),
            s if is_push_done(s) => open(|l| l.total == 0),
            _ => return None, // Preparing, Waiting: every layer says it; nothing to tell apart
        };
        // More layers than the image had when the push began: give the line a slot of its own.
        Some(found.unwrap_or_else(|| {
            self.layers.push(Layer::new(format!("layer {}", self.layers.len() + 1)));
            self.layers.len() - 1
        }))
    }
}

fn is_layer_status(status: &str) -> bool {
    matches!(
        status,
        "Pulling fs layer"
            | "Waiting"
            | "Downloading"
            | "Verifying Checksum"
            | "Download complete"
            | "Extracting"
            | "Pull complete"
            | "Already exists"
            | "Preparing"
            | "Pushing"
            | "Pushed"
            | "Layer already exists"
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

    fn push_step(status: &str, current: u64, total: u64) -> Step {
        let total = Some(total).filter(|t| *t > 0);
        Step { id: None, status: status.into(), current: total.map(|_| current), total }
    }

    #[test]
    fn push_lines_without_ids_land_on_their_layers() {
        let mut f = Fold::push(3);
        for _ in 0..3 {
            assert!(!f.apply(push_step("Preparing", 0, 0)));
        }
        f.apply(push_step("Pushing", 10, 100));
        f.apply(push_step("Pushing", 50, 300));
        f.apply(push_step("Layer already exists", 0, 0));
        let p = f.snapshot(Instant::now());
        assert_eq!((p.bytes_done, p.bytes_total, p.layers_done, p.layers_total), (60, 400, 1, 3));
        let layers: Vec<_> = p.layers.iter().map(|l| (l.id.as_str(), l.current, l.total, l.done)).collect();
        assert_eq!(layers, [("layer 1", 10, 100, false), ("layer 2", 50, 300, false), ("layer 3", 0, 0, true)]);
        f.apply(push_step("Pushing", 100, 100));
        f.apply(push_step("Pushed", 0, 0));
        let p = f.snapshot(Instant::now());
        assert!(p.layers[0].done && !p.layers[1].done, "{:?}", p.layers);
        assert!((p.fraction - (1.0 + 50.0 / 300.0 + 1.0) / 3.0).abs() < 1e-9, "{}", p.fraction);
        f.apply(push_step("Pushing", 300, 300));
        f.apply(push_step("Pushed", 0, 0));
        assert_eq!(f.snapshot(Instant::now()).layers_done, 3);
    }

    #[test]
    fn push_of_more_layers_than_announced_still_counts_them() {
        let mut f = Fold::push(0);
        f.apply(push_step("Pushing", 5, 10));
        f.apply(push_step("Layer already exists", 0, 0));
        let p = f.snapshot(Instant::now());
        assert_eq!((p.layers_total, p.layers_done), (2, 1));
    }
}
