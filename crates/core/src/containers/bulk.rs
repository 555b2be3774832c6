//! Actions on several containers at once: each runs, none stops the others, and each id gets
//! its outcome (the failure as a sentence).

use super::ContainerAction;
use crate::error::{ErrorPayload, Result};
use crate::Engine;
use futures_util::future::join_all;
use serde::Serialize;

/// One result per id of a bulk action.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ActionOutcome {
    pub id: String,
    pub error: Option<ErrorPayload>,
}

/// Start, stop, restart, pause or unpause every one of `ids`, side by side.
pub async fn act_all(engine: &Engine, ids: Vec<String>, action: ContainerAction) -> Vec<ActionOutcome> {
    let results = join_all(ids.iter().map(|id| super::act(engine, id, action))).await;
    outcomes(ids, results)
}

/// Remove every one of `ids` (with `force`, running ones too), side by side.
pub async fn remove_all(engine: &Engine, ids: Vec<String>, force: bool) -> Vec<ActionOutcome> {
    let results = join_all(ids.iter().map(|id| super::remove(engine, id, force))).await;
    outcomes(ids, results)
}

fn outcomes(ids: Vec<String>, results: Vec<Result<()>>) -> Vec<ActionOutcome> {
    ids.into_iter().zip(results).map(|(id, r)| ActionOutcome { id, error: r.err().map(ErrorPayload::from) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn each_id_gets_its_own_outcome() {
        let got = outcomes(vec!["a".into(), "b".into()], vec![Ok(()), Err(Error::invalid("id", "No such container: b."))]);
        assert_eq!(got[0], ActionOutcome { id: "a".into(), error: None });
        assert_eq!((got[1].id.as_str(), got[1].error.as_ref().map(|e| e.message.as_str())), ("b", Some("No such container: b.")));
    }
}
