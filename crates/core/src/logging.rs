//! What Berth logs. The engine and HTTP clients log request and response bodies (a container's
//! environment, a login) at debug and trace, so they are held at info whatever `BERTH_LOG` asks.

/// Crates that log bodies or headers below info.
const QUIET: [&str; 7] = ["bollard", "hyper", "hyper_util", "reqwest", "h2", "rustls", "tungstenite"];

/// The tracing filter directives for `BERTH_LOG` (`None`: Berth's info lines only).
pub fn filter(berth_log: Option<&str>) -> String {
    let user = berth_log.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("berth=info,berth_core=info");
    let quiet = |directive: &str| {
        let target = directive.split(['=', '[']).next().unwrap_or_default().trim();
        QUIET.iter().any(|q| target == *q || target.starts_with(&format!("{q}::")))
    };
    let kept = user.split(',').filter(|d| !quiet(d));
    kept.map(str::to_string).chain(QUIET.iter().map(|q| format!("{q}=info"))).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn body_logging_crates_stay_at_info() {
        assert_eq!(
            super::filter(None),
            "berth=info,berth_core=info,bollard=info,hyper=info,hyper_util=info,reqwest=info,h2=info,rustls=info,tungstenite=info"
        );
        let asked = super::filter(Some("debug,bollard=trace,hyper_util::client[x]=trace,berth_core=trace"));
        assert!(asked.starts_with("debug,berth_core=trace,bollard=info,"), "{asked}");
    }
}
