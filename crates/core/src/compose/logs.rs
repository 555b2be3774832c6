//! Stack-wide logs: every container of a project (or of one service) followed at once, merged
//! as they come, each line prefixed with its container in a colour per service, as
//! `docker compose logs` prints them. The log viewer shows the colours (ANSI). When following,
//! containers that start later (scale-up, recreate, restart) are attached too, as
//! `docker compose logs -f` does.

use super::{labels, stack};
use crate::containers::logs::{self, LogEvent, LogLine, LogOptions};
use crate::error::ErrorPayload;
use crate::Engine;
use bollard::query_parameters::EventsOptions;
use futures_util::stream::{FuturesUnordered, StreamExt};
use futures_util::FutureExt;
use std::collections::HashMap;
use tokio::sync::mpsc;

/// Compose's palette: cyan, yellow, green, magenta, blue, then the bright ones.
const COLOURS: [u8; 10] = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/// A container to follow: its id, name and service.
struct Target {
    id: String,
    name: String,
    service: String,
}

/// Follow the project's logs; always finishes with [`LogEvent::End`]. Without `follow` it ends
/// once every container's log is sent; with it, it goes on (attaching new containers) until
/// the caller drops it or the engine goes away.
pub async fn follow(engine: &Engine, project: &str, service: Option<&str>, opts: LogOptions, mut emit: impl FnMut(LogEvent)) {
    // Subscribe before listing, so a container that starts in between is not missed.
    let mut starts = match opts.follow {
        true => starts(engine, project, service).boxed(),
        false => futures_util::stream::empty().boxed(),
    };
    let containers = match stack::containers(engine, project, service).await {
        Ok(c) => c,
        Err(e) => return emit(LogEvent::End { error: Some(ErrorPayload::from(e)) }),
    };
    let mut services: Vec<String> = containers.iter().filter_map(|c| c.compose_service.clone()).collect();
    services.sort();
    services.dedup();
    let width = containers.iter().map(|c| prefix_name(project, &c.name).len()).max().unwrap_or(0);
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<LogLine>>();
    let attach = |t: Target, since: Option<i64>, services: &mut Vec<String>| {
        let colour = match services.iter().position(|s| *s == t.service) {
            Some(i) => i,
            None => {
                services.push(t.service.clone());
                services.len() - 1
            }
        } % COLOURS.len();
        let prefix = format!("\x1b[{}m{:<width$} |\x1b[0m ", COLOURS[colour], prefix_name(project, &t.name));
        stream(engine, t.id, opts, since, prefix, tx.clone())
    };
    let mut streams = FuturesUnordered::new();
    for c in containers {
        let t = Target { id: c.id, name: c.name, service: c.compose_service.unwrap_or_default() };
        streams.push(attach(t, None, &mut services));
    }
    // The last timestamp seen of every container whose stream ended: a restart resumes after it.
    let mut ended: HashMap<String, Option<i64>> = HashMap::new();
    // Restarted while their old stream had not ended yet (the start event can come first):
    // re-attached as soon as it ends.
    let mut restarted: HashMap<String, Target> = HashMap::new();
    let mut following = true;
    loop {
        tokio::select! {
            Some(lines) = rx.recv() => emit(LogEvent::Lines { lines }),
            Some((id, last)) = streams.next(), if !streams.is_empty() => match restarted.remove(&id) {
                Some(t) => streams.push(attach(t, Some(last.map_or(0, |ns| ns + 1)), &mut services)),
                None => {
                    ended.insert(id, last);
                }
            },
            start = starts.next(), if following => match start {
                Some(t) => {
                    if streams.iter().any(|s: &Stream| s.id == t.id) {
                        restarted.insert(t.id.clone(), t);
                    } else {
                        let since = ended.remove(&t.id).map(|last| last.map_or(0, |ns| ns + 1));
                        streams.push(attach(t, since, &mut services));
                    }
                }
                // The engine stopped telling: finish with the streams already open.
                None => following = false,
            },
            else => break,
        }
        if streams.is_empty() && !following {
            while let Ok(lines) = rx.try_recv() {
                emit(LogEvent::Lines { lines });
            }
            break;
        }
    }
    // Each stream's own end is folded into this one.
    emit(LogEvent::End { error: None });
}

/// One container's log, sent prefixed to `tx`; resolves to its id and the last timestamp seen.
struct Stream {
    id: String,
    fut: futures_util::future::BoxFuture<'static, Option<i64>>,
}

impl std::future::Future for Stream {
    type Output = (String, Option<i64>);
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        self.fut.poll_unpin(cx).map(|last| (self.id.clone(), last))
    }
}

/// Follow one container. Timestamps are always asked for, to resume a restarted container
/// exactly after its last line (the engine's `since` has whole seconds), and cut off again
/// unless the user asked for them.
fn stream(
    engine: &Engine,
    id: String,
    opts: LogOptions,
    since: Option<i64>,
    prefix: String,
    tx: mpsc::UnboundedSender<Vec<LogLine>>,
) -> Stream {
    let engine = engine.clone();
    let inner = LogOptions { timestamps: true, tail: if since.is_some() { None } else { opts.tail }, ..opts };
    let fut = {
        let id = id.clone();
        async move {
            let mut last = since.map(|ns| ns - 1);
            // Per stream (out, err): the previous piece was cut, and whether it was kept. Only
            // the first piece of a cut line starts with its timestamp.
            let mut cut = [None::<bool>; 2];
            logs::follow_since(&engine, &id, inner, since.map(|ns| ns / 1_000_000_000), |event| {
                let LogEvent::Lines { lines } = event else {
                    return;
                };
                let lines: Vec<LogLine> = lines
                    .into_iter()
                    .filter_map(|mut l| {
                        let cut = &mut cut[l.stream as usize];
                        let keep = match *cut {
                            Some(kept) => kept,
                            None => {
                                let (stamp, rest) = l.text.split_once(' ').unwrap_or((l.text.as_str(), ""));
                                let at = chrono::DateTime::parse_from_rfc3339(stamp).ok().and_then(|t| t.timestamp_nanos_opt());
                                let seen = matches!((at, last), (Some(at), Some(seen)) if at <= seen);
                                if !seen {
                                    last = at.or(last);
                                    if !opts.timestamps {
                                        l.text = rest.to_string();
                                    }
                                }
                                !seen
                            }
                        };
                        *cut = l.continues.then_some(keep);
                        keep.then(|| {
                            l.text.insert_str(0, &prefix);
                            l
                        })
                    })
                    .collect();
                if !lines.is_empty() {
                    let _ = tx.send(lines);
                }
            })
            .await;
            last
        }
        .boxed()
    };
    Stream { id, fut }
}

/// The project's containers as they start, from the engine's event stream.
fn starts<'a>(engine: &'a Engine, project: &str, service: Option<&str>) -> impl futures_util::Stream<Item = Target> + Send + 'a {
    let mut label = vec![format!("{}={project}", labels::PROJECT), format!("{}=False", labels::ONEOFF)];
    if let Some(s) = service {
        label.push(format!("{}={s}", labels::SERVICE));
    }
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        ("event".to_string(), vec!["start".to_string()]),
        ("label".to_string(), label),
    ]);
    let events = engine.docker().events(Some(EventsOptions { filters: Some(filters), ..Default::default() }));
    events.take_while(|e| std::future::ready(e.is_ok())).filter_map(|e| async move {
        let actor = e.ok()?.actor?;
        let attrs = actor.attributes.unwrap_or_default();
        Some(Target { id: actor.id?, name: attrs.get("name")?.clone(), service: attrs.get(labels::SERVICE).cloned().unwrap_or_default() })
    })
}

/// `web-1` for `proj-web-1`, as Compose shortens names in its log prefixes.
fn prefix_name<'a>(project: &str, name: &'a str) -> &'a str {
    name.strip_prefix(project).and_then(|n| n.strip_prefix(['-', '_'])).unwrap_or(name)
}
