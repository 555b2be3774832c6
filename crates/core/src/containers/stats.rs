//! Live resource use of one container: the engine's stats stream (about one sample a second)
//! folded into the figures `docker stats` shows, computed the way the CLI computes them.

use crate::error::ErrorPayload;
use crate::Engine;
use bollard::models::{ContainerBlkioStatEntry, ContainerStatsResponse};
use bollard::query_parameters::StatsOptions;
use futures_util::StreamExt;
use serde::Serialize;

/// One sample, as `docker stats` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct StatsSample {
    /// Percent of one CPU (200 = two CPUs busy), as the CLI counts it.
    pub cpu_percent: f64,
    /// CPUs the container may use.
    pub cpus: u32,
    /// Memory in use, page cache left out as the CLI does.
    pub memory_bytes: u64,
    pub memory_limit_bytes: u64,
    pub net_rx_bytes: u64,
    pub net_tx_bytes: u64,
    pub block_read_bytes: u64,
    pub block_write_bytes: u64,
    pub pids: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum StatsEvent {
    Sample {
        sample: StatsSample,
    },
    /// The stream is over: the container stopped or went away, or the engine failed.
    End {
        error: Option<ErrorPayload>,
    },
}

/// Follow `id`'s stats until the container stops (or is not running) or the future is dropped.
pub async fn follow(engine: &Engine, id: &str, mut emit: impl FnMut(StatsEvent)) {
    let mut stream = engine.docker().stats(id, Some(StatsOptions { stream: true, one_shot: false }));
    let error = loop {
        match stream.next().await {
            // A stopped container gets zeroed samples (`read` in year 1) for as long as one
            // listens, so the first of them ends the stream.
            Some(Ok(raw)) if raw.read.as_deref().is_some_and(|r| !r.starts_with("0001-")) => {
                emit(StatsEvent::Sample { sample: sample(&raw) })
            }
            Some(Ok(_)) => break None,
            Some(Err(e)) => break Some(engine.err(&format!("Container {}", super::short(id)))(e)),
            None => break None,
        }
    };
    emit(StatsEvent::End { error: error.map(ErrorPayload::from) });
}

/// The CLI's arithmetic (docker/cli `cli/command/container/stats_helpers.go`) for Linux.
pub fn sample(raw: &ContainerStatsResponse) -> StatsSample {
    let cpu = raw.cpu_stats.as_ref();
    let pre = raw.precpu_stats.as_ref();
    let total =
        |c: Option<&bollard::models::ContainerCpuStats>| c.and_then(|c| c.cpu_usage.as_ref()).and_then(|u| u.total_usage).unwrap_or(0);
    let system = |c: Option<&bollard::models::ContainerCpuStats>| c.and_then(|c| c.system_cpu_usage).unwrap_or(0);
    let cpus = cpu
        .and_then(|c| c.online_cpus.filter(|n| *n > 0))
        .or_else(|| cpu.and_then(|c| c.cpu_usage.as_ref()).and_then(|u| u.percpu_usage.as_ref()).map(|p| p.len() as u32))
        .unwrap_or(0);
    let (cpu_delta, system_delta) = (total(cpu).saturating_sub(total(pre)), system(cpu).saturating_sub(system(pre)));
    let cpu_percent = if cpu_delta > 0 && system_delta > 0 { cpu_delta as f64 / system_delta as f64 * cpus as f64 * 100.0 } else { 0.0 };

    let memory = raw.memory_stats.as_ref();
    let usage = memory.and_then(|m| m.usage).unwrap_or(0);
    // Page cache the kernel can drop is not the container's own use: cgroup v1 calls it
    // total_inactive_file, v2 inactive_file.
    let cache =
        memory.and_then(|m| m.stats.as_ref()).and_then(|s| s.get("total_inactive_file").or_else(|| s.get("inactive_file")).copied());
    let memory_bytes = match cache {
        Some(c) if c < usage => usage - c,
        _ => usage,
    };

    let networks = raw.networks.iter().flat_map(|n| n.values());
    let (net_rx_bytes, net_tx_bytes) =
        networks.fold((0u64, 0u64), |(rx, tx), n| (rx.saturating_add(n.rx_bytes.unwrap_or(0)), tx.saturating_add(n.tx_bytes.unwrap_or(0))));
    let io = raw.blkio_stats.as_ref().and_then(|b| b.io_service_bytes_recursive.as_deref()).unwrap_or_default();
    StatsSample {
        cpu_percent,
        cpus,
        memory_bytes,
        memory_limit_bytes: memory.and_then(|m| m.limit).unwrap_or(0),
        net_rx_bytes,
        net_tx_bytes,
        block_read_bytes: block(io, "read"),
        block_write_bytes: block(io, "write"),
        pids: raw.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
    }
}

fn block(entries: &[ContainerBlkioStatEntry], op: &str) -> u64 {
    entries
        .iter()
        .filter(|e| e.op.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(op)))
        .fold(0u64, |sum, e| sum.saturating_add(e.value.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cgroup v1 sample as Engine 20.10 sends it, cut to the fields the CLI reads.
    const V1: &str = r#"{
        "read": "2026-11-26T03:30:01.5Z", "preread": "2026-11-26T03:30:00.5Z",
        "pids_stats": {"current": 3},
        "blkio_stats": {"io_service_bytes_recursive": [
            {"major": 254, "minor": 0, "op": "Read", "value": 4096},
            {"major": 254, "minor": 0, "op": "Write", "value": 8192},
            {"major": 254, "minor": 0, "op": "Sync", "value": 100},
            {"major": 254, "minor": 16, "op": "Read", "value": 1000}]},
        "cpu_stats": {"cpu_usage": {"total_usage": 600000000, "percpu_usage": [1, 2]}, "system_cpu_usage": 4000000000},
        "precpu_stats": {"cpu_usage": {"total_usage": 100000000}, "system_cpu_usage": 2000000000, "online_cpus": 2},
        "memory_stats": {"usage": 10485760, "limit": 1073741824, "stats": {"total_inactive_file": 2097152}},
        "networks": {"eth0": {"rx_bytes": 1500, "tx_bytes": 700}, "eth1": {"rx_bytes": 500, "tx_bytes": 300}}
    }"#;

    #[test]
    fn folds_a_sample_as_the_cli_does() {
        let raw: ContainerStatsResponse = serde_json::from_str(V1).unwrap();
        let s = sample(&raw);
        // 0.5 s of CPU over 2 s of system time on 2 CPUs (online_cpus missing: percpu length).
        assert_eq!(s.cpus, 2);
        assert!((s.cpu_percent - 50.0).abs() < 1e-9, "{}", s.cpu_percent);
        assert_eq!(s.memory_bytes, 8 * 1024 * 1024);
        assert_eq!(s.memory_limit_bytes, 1 << 30);
        assert_eq!((s.net_rx_bytes, s.net_tx_bytes), (2000, 1000));
        assert_eq!((s.block_read_bytes, s.block_write_bytes), (5096, 8192));
        assert_eq!(s.pids, 3);
    }

    #[test]
    fn first_sample_and_cgroup_v2_cache() {
        // The first sample has no precpu figures: 0 %, not a huge spike.
        let raw: ContainerStatsResponse = serde_json::from_str(
            r#"{"cpu_stats": {"cpu_usage": {"total_usage": 5}, "online_cpus": 4},
                "memory_stats": {"usage": 100, "stats": {"inactive_file": 40}}}"#,
        )
        .unwrap();
        let s = sample(&raw);
        assert_eq!((s.cpu_percent, s.cpus, s.memory_bytes), (0.0, 4, 60));
    }

    /// Seen while writing the `stats` fuzz target: counters an engine sends, summed over
    /// networks and block devices, overflowed (a panic in debug builds, a wrapped figure in release).
    #[test]
    fn huge_counters_saturate() {
        let max = u64::MAX;
        let raw: ContainerStatsResponse = serde_json::from_str(&format!(
            r#"{{"networks": {{"eth0": {{"rx_bytes": {max}, "tx_bytes": {max}}}, "eth1": {{"rx_bytes": 1, "tx_bytes": 1}}}},
                "blkio_stats": {{"io_service_bytes_recursive": [{{"op": "Read", "value": {max}}}, {{"op": "read", "value": 1}}]}}}}"#
        ))
        .unwrap();
        let s = sample(&raw);
        assert_eq!((s.net_rx_bytes, s.net_tx_bytes, s.block_read_bytes), (max, max, max));
    }
}
