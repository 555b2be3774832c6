//! Which container deaths were unexpected. The engine reports every end of a container as `die`;
//! one that someone asked for (`docker stop`, `docker kill`, a restart, `rm -f`, compose down, or
//! Berth's own buttons) is preceded by `kill` (the signal the engine sends) or `stop` for that
//! container. A `die` with no such notice since the container last started, and a non-zero exit
//! code (zero is a process that finished its work), is unexpected: the user may want to know.

use bollard::models::{EventMessage, EventMessageTypeEnum};
use serde::Serialize;
use std::collections::HashSet;

/// A container that ended on its own with a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDeath {
    pub id: String,
    pub name: String,
    pub exit_code: i64,
}

/// Follows one engine's container events; remembers which containers were asked to end.
#[derive(Default)]
pub struct Deaths {
    asked_to_end: HashSet<String>,
}

impl Deaths {
    /// Notes `msg`; returns the death when it is an unexpected one.
    pub fn note(&mut self, msg: &EventMessage) -> Option<ContainerDeath> {
        if msg.typ != Some(EventMessageTypeEnum::CONTAINER) {
            return None;
        }
        let actor = msg.actor.as_ref()?;
        let id = actor.id.clone()?;
        match msg.action.as_deref()? {
            "kill" | "stop" => {
                self.asked_to_end.insert(id);
                None
            }
            // A fresh run: a notice from before it no longer applies.
            "start" | "destroy" => {
                self.asked_to_end.remove(&id);
                None
            }
            "die" => {
                if self.asked_to_end.remove(&id) {
                    return None;
                }
                let attributes = actor.attributes.as_ref();
                let exit_code = attributes.and_then(|a| a.get("exitCode")).and_then(|c| c.parse::<i64>().ok()).unwrap_or(-1);
                if exit_code == 0 {
                    return None;
                }
                let name = attributes.and_then(|a| a.get("name")).cloned().unwrap_or_else(|| id.chars().take(12).collect());
                Some(ContainerDeath { id, name, exit_code })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;
    use std::collections::HashMap;

    fn event(id: &str, action: &str, exit: Option<&str>) -> EventMessage {
        let mut attributes = HashMap::from([("name".to_string(), format!("web-{id}"))]);
        if let Some(code) = exit {
            attributes.insert("exitCode".into(), code.into());
        }
        EventMessage {
            typ: Some(EventMessageTypeEnum::CONTAINER),
            action: Some(action.into()),
            actor: Some(EventActor { id: Some(id.into()), attributes: Some(attributes) }),
            ..Default::default()
        }
    }

    /// Runs the actions ("start", "die:137", …) through one tracker; the unexpected deaths' ids.
    fn deaths(sequence: &[(&str, &str)]) -> Vec<(String, i64)> {
        let mut tracker = Deaths::default();
        sequence
            .iter()
            .filter_map(|(id, action)| {
                let (action, exit) = action.split_once(':').map_or((*action, None), |(a, c)| (a, Some(c)));
                tracker.note(&event(id, action, exit))
            })
            .map(|d| (d.id, d.exit_code))
            .collect()
    }

    #[test]
    fn a_crash_is_unexpected() {
        assert_eq!(deaths(&[("a", "start"), ("a", "die:3")]), [("a".into(), 3)]);
        // OOM: the engine's own kill has no `kill` event.
        assert_eq!(deaths(&[("a", "start"), ("a", "oom"), ("a", "die:137")]), [("a".into(), 137)]);
    }

    #[test]
    fn stop_kill_restart_and_rm_force_are_intended() {
        // docker stop: kill (SIGTERM), die, stop; a container ignoring SIGTERM gets a second kill.
        assert!(deaths(&[("a", "start"), ("a", "kill"), ("a", "die:143"), ("a", "stop")]).is_empty());
        assert!(deaths(&[("a", "start"), ("a", "kill"), ("a", "kill"), ("a", "die:137"), ("a", "stop")]).is_empty());
        // docker restart, then a crash of the new run is unexpected again.
        assert_eq!(
            deaths(&[("a", "kill"), ("a", "die:137"), ("a", "stop"), ("a", "start"), ("a", "restart"), ("a", "die:1")]),
            [("a".into(), 1)]
        );
        assert!(deaths(&[("a", "start"), ("a", "kill"), ("a", "die:137"), ("a", "destroy")]).is_empty());
    }

    #[test]
    fn a_clean_exit_and_other_containers_do_not_count() {
        assert!(deaths(&[("a", "start"), ("a", "die:0")]).is_empty());
        // A stop of b says nothing about a.
        assert_eq!(deaths(&[("b", "kill"), ("a", "die:2"), ("b", "die:143")]), [("a".into(), 2)]);
    }

    #[test]
    fn a_stale_notice_does_not_hide_a_later_crash() {
        // The stop of the previous run ended with it; this run's crash is reported.
        assert_eq!(deaths(&[("a", "kill"), ("a", "start"), ("a", "die:1")]), [("a".into(), 1)]);
    }
}
