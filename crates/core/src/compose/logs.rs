//! Stack-wide logs: every container of a project (or of one service) followed at once, merged
//! as they come, each line prefixed with its container in a colour per service, as
//! `docker compose logs` prints them. The log viewer shows the colours (ANSI).

use super::stack;
use crate::containers::logs::{self, LogEvent, LogOptions};
use crate::error::ErrorPayload;
use crate::Engine;
use futures_util::future::join_all;
use tokio::sync::mpsc;

/// Compose's palette: cyan, yellow, green, magenta, blue, then the bright ones.
const COLOURS: [u8; 10] = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/// Follow the project's logs until every stream ends; always finishes with [`LogEvent::End`].
pub async fn follow(engine: &Engine, project: &str, service: Option<&str>, opts: LogOptions, mut emit: impl FnMut(LogEvent)) {
    let containers = match stack::containers(engine, project, service).await {
        Ok(c) => c,
        Err(e) => return emit(LogEvent::End { error: Some(ErrorPayload::from(e)) }),
    };
    let mut services: Vec<String> = containers.iter().filter_map(|c| c.compose_service.clone()).collect();
    services.sort();
    services.dedup();
    let width = containers.iter().map(|c| prefix_name(project, &c.name).len()).max().unwrap_or(0);
    let (tx, mut rx) = mpsc::unbounded_channel::<LogEvent>();
    let streams = join_all(containers.iter().map(|c| {
        let tx = tx.clone();
        let colour = services.iter().position(|s| Some(s) == c.compose_service.as_ref()).unwrap_or(0) % COLOURS.len();
        let prefix = format!("\x1b[{}m{:<width$} |\x1b[0m ", COLOURS[colour], prefix_name(project, &c.name));
        async move {
            logs::follow(engine, &c.id, opts, |event| {
                if let LogEvent::Lines { mut lines } = event {
                    for l in &mut lines {
                        l.text.insert_str(0, &prefix);
                    }
                    let _ = tx.send(LogEvent::Lines { lines });
                }
            })
            .await
        }
    }));
    drop(tx);
    let forward = async {
        while let Some(event) = rx.recv().await {
            emit(event);
        }
    };
    tokio::join!(streams, forward);
    // Each stream's own end is folded into this one: the stack's logs end when all have.
    emit(LogEvent::End { error: None });
}

/// `web-1` for `proj-web-1`, as Compose shortens names in its log prefixes.
fn prefix_name<'a>(project: &str, name: &'a str) -> &'a str {
    name.strip_prefix(project).and_then(|n| n.strip_prefix(['-', '_'])).unwrap_or(name)
}
