use super::support::*;
use berth_core::containers::exec;
use berth_core::containers::logs::{self, LogEvent, LogOptions, LogStream};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn logs_come_as_lines_with_streams_and_end_when_the_container_stops() {
    if !enabled("logs_come_as_lines") {
        return;
    }
    let engine = engine().await;
    let name = name("logs");
    let id = run_sh(&name, "for i in 1 2 3; do echo out $i; echo err $i >&2; done; sleep 1");
    let _c = Cleanup(id.clone());
    let mut events = Vec::new();
    let opts = LogOptions { follow: true, timestamps: false, tail: None };
    tokio::time::timeout(std::time::Duration::from_secs(20), logs::follow(&engine, &id, opts, |e| events.push(e)))
        .await
        .expect("the stream ends when the container exits");
    let lines: Vec<_> = events
        .iter()
        .flat_map(|e| match e {
            LogEvent::Lines { lines } => lines.clone(),
            LogEvent::End { .. } => vec![],
        })
        .collect();
    let out: Vec<_> = lines.iter().filter(|l| l.stream == LogStream::Out).map(|l| l.text.as_str()).collect();
    let err: Vec<_> = lines.iter().filter(|l| l.stream == LogStream::Err).map(|l| l.text.as_str()).collect();
    assert_eq!(out, ["out 1", "out 2", "out 3"]);
    assert_eq!(err, ["err 1", "err 2", "err 3"]);
    assert_eq!(events.last(), Some(&LogEvent::End { error: None }));
}

/// 50 MB without a newline arrive as pieces of at most 16 KiB, in linear time (the splitter
/// does not rescan what it carries), instead of one line that grows until the container stops.
#[tokio::test]
async fn logs_without_newlines_come_in_bounded_pieces() {
    if !enabled("logs_without_newlines_come_in_bounded_pieces") {
        return;
    }
    const TOTAL: usize = 50_000_000;
    let engine = engine().await;
    let name = name("nonl");
    let id = run_sh(&name, &format!("head -c {TOTAL} /dev/zero | tr '\\0' y"));
    let _c = Cleanup(id.clone());
    docker(&["wait", &id]);
    let (mut bytes, mut pieces, mut longest, mut events) = (0usize, 0usize, 0usize, 0usize);
    let opts = LogOptions { follow: true, timestamps: false, tail: None };
    let started = std::time::Instant::now();
    tokio::time::timeout(
        std::time::Duration::from_secs(90),
        logs::follow(&engine, &id, opts, |e| {
            if let LogEvent::Lines { lines } = e {
                events += 1;
                for l in lines {
                    assert!(l.text.bytes().all(|b| b == b'y'), "only the container's bytes");
                    bytes += l.text.len();
                    pieces += 1;
                    longest = longest.max(l.text.len());
                }
            }
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("50 MB without a newline took over 90 s ({bytes} bytes in {pieces} pieces so far)"));
    assert_eq!(bytes, TOTAL, "every byte arrives");
    assert!(longest <= logs::MAX_LINE, "pieces are at most {} bytes: {longest}", logs::MAX_LINE);
    assert!(events > 1, "the pieces arrive while the stream runs, not at its end");
    eprintln!("{TOTAL} bytes in {pieces} pieces, {events} batches, {:?}", started.elapsed());
}

#[tokio::test]
async fn logs_tail_timestamps_and_save() {
    if !enabled("logs_tail_timestamps_and_save") {
        return;
    }
    let engine = engine().await;
    let name = name("tail");
    let id = run_sh(&name, "seq 1 100; sleep 300");
    let _c = Cleanup(id.clone());
    until(10, "100 lines", async || (docker(&["logs", &id]).lines().count() == 100).then_some(())).await;

    let mut lines = Vec::new();
    let opts = LogOptions { follow: false, timestamps: true, tail: Some(5) };
    logs::follow(&engine, &id, opts, |e| {
        if let LogEvent::Lines { lines: l } = e {
            lines.extend(l)
        }
    })
    .await;
    assert_eq!(lines.len(), 5);
    let last = &lines[4].text;
    assert!(last.ends_with(" 100") && last.contains('T') && last.starts_with("20"), "{last}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.log");
    logs::save(&engine, &id, false, &path).await.unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert_eq!(saved.lines().count(), 100);
    assert_eq!(saved, docker(&["logs", &id]) + "\n");
}

#[tokio::test]
async fn terminal_runs_a_command_in_the_picked_shell_and_resizes() {
    if !enabled("terminal_runs_a_command") {
        return;
    }
    let engine = engine().await;
    let name = name("exec");
    let id = run_sh(&name, "sleep 300");
    let _c = Cleanup(id.clone());

    // busybox has no bash; its ash is picked.
    assert_eq!(exec::pick_shell(&engine, &id).await.unwrap(), "/bin/ash");
    let (session, mut output, mut input) = exec::start(&engine, &id, 120, 40).await.unwrap();
    input.write_all(b"stty size; echo hello-$((40+2))\n").await.unwrap();
    let mut seen = String::new();
    until(10, "the command's output", async || {
        if let Ok(Some(Ok(bytes))) = tokio::time::timeout(std::time::Duration::from_millis(200), output.next()).await {
            seen.push_str(&String::from_utf8_lossy(&bytes));
        }
        (seen.contains("hello-42") && seen.contains("40 120")).then_some(())
    })
    .await;
    exec::resize(&engine, &session.exec_id, 100, 30).await.unwrap();
    input.write_all(b"stty size\n").await.unwrap();
    until(10, "the new size", async || {
        if let Ok(Some(Ok(bytes))) = tokio::time::timeout(std::time::Duration::from_millis(200), output.next()).await {
            seen.push_str(&String::from_utf8_lossy(&bytes));
        }
        seen.contains("30 100").then_some(())
    })
    .await;
    input.write_all(b"exit\n").await.unwrap();
}

/// Closing a terminal ends its shell and what runs in it: the engine keeps a TTY exec running
/// after its connection is dropped, so the session is hung up.
#[tokio::test]
async fn terminal_hang_up_ends_the_shell_and_its_children() {
    if !enabled("terminal_hang_up_ends_the_shell") {
        return;
    }
    let engine = engine().await;
    let name = name("hangup");
    let id = run_sh(&name, "sleep 300");
    let _c = Cleanup(id.clone());
    let (session, mut output, mut input) = exec::start(&engine, &id, 80, 24).await.unwrap();
    input.write_all(b"sleep 4242\n").await.unwrap();
    let shells = || docker(&["top", &id, "-o", "pid,args"]).lines().filter(|l| l.contains("ash") || l.contains("sleep 4242")).count();
    until(10, "the shell and its sleep", async || (shells() == 2).then_some(())).await;
    drop((input, output.next().await));
    drop(output);
    exec::hang_up(&engine, &id, &session).await.unwrap();
    until(10, "the shell and its sleep to end", async || (shells() == 0).then_some(())).await;
    assert_eq!(docker(&["inspect", "-f", "{{.State.Status}}", &id]), "running", "the container itself goes on");
}

#[tokio::test]
async fn terminal_on_a_stopped_container_is_refused_in_words() {
    if !enabled("terminal_on_a_stopped_container") {
        return;
    }
    let engine = engine().await;
    let name = name("stopped");
    let id = run_sh(&name, "true");
    let _c = Cleanup(id.clone());
    until(10, "exit", async || (docker(&["inspect", "-f", "{{.State.Status}}", &id]) == "exited").then_some(())).await;
    let err = exec::start(&engine, &id, 80, 24).await.err().expect("refused");
    assert_eq!(err.to_string(), "The container is not running: start it to open a terminal.");
}

/// Live stats: a busy container shows CPU, its memory and pids; the stream ends when it stops.
#[tokio::test]
async fn stats_follow_a_busy_container_until_it_stops() {
    if !enabled("stats_follow_a_busy_container_until_it_stops") {
        return;
    }
    use berth_core::containers::stats::{self, StatsEvent};
    let engine = engine().await;
    let name = name("stats");
    // Busy for a while, holding ~8 MB in memory, then exit.
    let id = run_sh(&name, "head -c 8000000 /dev/zero > /tmp/held; end=$(($(date +%s)+6)); while [ $(date +%s) -lt $end ]; do :; done");
    let _c = Cleanup(id.clone());
    let mut events = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(30), stats::follow(&engine, &id, |e| events.push(e)))
        .await
        .expect("the stats stream ends when the container exits");
    let samples: Vec<_> = events.iter().filter_map(|e| if let StatsEvent::Sample { sample } = e { Some(sample) } else { None }).collect();
    assert!(samples.len() >= 3, "about one sample a second: {events:?}");
    assert!(samples.iter().any(|s| s.cpu_percent > 20.0), "the busy loop shows: {samples:?}");
    assert!(samples.iter().all(|s| s.pids >= 1 && s.memory_bytes > 0 && s.memory_limit_bytes > 0 && s.cpus >= 1), "{samples:?}");
    assert_eq!(events.last(), Some(&StatsEvent::End { error: None }));
}
