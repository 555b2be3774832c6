//! Prunes remove exactly what the user confirmed, one by one (never the engine's prune
//! endpoint, which removes whatever is unused at the moment of the click), and say what changed
//! between the confirmation and the removal.

use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::future::Future;

/// A confirmed item that was not removed, and why ("now used by web-1").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PruneKept")]
#[serde(rename_all = "camelCase")]
pub struct Kept {
    pub name: String,
    pub why: String,
}

/// What changed since the confirmation: confirmed items kept, and new candidates left alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename = "PruneChanges")]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub kept: Vec<Kept>,
    /// Would be pruned now, but were not in the confirmed list.
    pub appeared: Vec<String>,
    /// The two above as sentences, for the UI.
    pub notes: Vec<String>,
}

impl Changes {
    /// `kind` is the singular noun ("volume"); `appeared` the candidates now, confirmed or not.
    pub(crate) fn new(kind: &str, kept: Vec<Kept>, appeared: Vec<String>) -> Changes {
        let mut notes = Vec::new();
        if !kept.is_empty() {
            let (n, were) = (count(kept.len(), kind), if kept.len() == 1 { "was" } else { "were" });
            let why: Vec<String> = kept.iter().map(|k| format!("{} {}", k.name, k.why)).collect();
            notes.push(format!("{n} {were} not removed: {}.", why.join("; ")));
        }
        if !appeared.is_empty() {
            let (n, it) = (count(appeared.len(), &format!("new unused {kind}")), if appeared.len() == 1 { "it was" } else { "they were" });
            notes.push(format!("{n} appeared after you confirmed; {it} kept."));
        }
        Changes { kept, appeared, notes }
    }
}

/// Removes each `confirmed` key that is still in `now` and that `blocked` does not hold back
/// (it says why: "is now used by web-1"); the engine's own refusal is a reason too. Returns the
/// keys removed and the items kept, named by `name`.
pub(crate) async fn each<'a, T, Fut: Future<Output = Result<()>> + 'a>(
    confirmed: &'a [String],
    now: &'a HashMap<String, T>,
    name: impl Fn(&String) -> String,
    blocked: impl Fn(&T) -> Option<String>,
    remove: impl Fn(&'a String, &'a T) -> Fut,
) -> (Vec<String>, Vec<Kept>) {
    let (mut removed, mut kept) = (Vec::new(), Vec::new());
    for key in confirmed {
        let why = match now.get(key) {
            None => Some("no longer exists".to_string()),
            Some(item) => match blocked(item) {
                Some(why) => Some(why),
                None => match remove(key, item).await {
                    Ok(()) => {
                        removed.push(key.clone());
                        None
                    }
                    Err(Error::NotFound { .. }) => Some("no longer exists".to_string()),
                    Err(Error::Conflict { message }) => Some(format!("was not removed: {message}")),
                    Err(e) => Some(format!("could not be removed ({e})")),
                },
            },
        };
        if let Some(why) = why {
            kept.push(Kept { name: name(key), why });
        }
    }
    (removed, kept)
}

fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Does `labels` carry `label` ("key" or "key=value")?
pub(crate) fn carries<'a>(labels: impl IntoIterator<Item = (&'a String, &'a String)>, label: &str) -> bool {
    let labels: BTreeMap<&String, &String> = labels.into_iter().collect();
    match label.split_once('=') {
        Some((k, want)) => labels.get(&k.to_string()).is_some_and(|have| *have == want),
        None => labels.contains_key(&label.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_sentences() {
        let kept = vec![
            Kept { name: "db".into(), why: "is now used by web-1".into() },
            Kept { name: "cache".into(), why: "no longer exists".into() },
        ];
        let c = Changes::new("volume", kept, vec!["new".into()]);
        assert_eq!(
            c.notes,
            [
                "2 volumes were not removed: db is now used by web-1; cache no longer exists.",
                "1 new unused volume appeared after you confirmed; it was kept."
            ]
        );
        assert!(Changes::new("network", vec![], vec![]).notes.is_empty());
    }

    #[test]
    fn labels_match_by_key_or_key_and_value() {
        let labels = BTreeMap::from([("team".to_string(), "a".to_string())]);
        assert!(carries(&labels, "team") && carries(&labels, "team=a"));
        assert!(!carries(&labels, "team=b") && !carries(&labels, "other"));
    }
}
