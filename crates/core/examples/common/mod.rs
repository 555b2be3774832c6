//! What the bench examples share: this process's memory as the kernel counts it (Linux).

/// A `/proc/self/status` figure (`"VmRSS:"`, `"VmHWM:"`, given in kB) in MiB; 0 when unreadable.
pub fn status_mib(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<f64>().ok());
    kib.unwrap_or(0.0) / 1024.0
}

/// Peak resident memory of this process so far (VmHWM), MiB.
pub fn peak_mib() -> f64 {
    status_mib("VmHWM:")
}
