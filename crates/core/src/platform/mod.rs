//! Everything that differs by operating system, one module per concern. Each answer is a pure
//! function of an [`Os`] (plus the home folder and environment), so the unit tests on Linux
//! check the macOS and Windows answers too; `cfg` only picks [`Os::CURRENT`] and compiles the
//! calls that exist on one platform alone.

pub mod engine_help;
pub mod helpers;
pub mod paths;
pub mod sockets;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Linux and the other Unix desktops (Secret Service, XDG folders, systemd).
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The platform this build runs on.
    pub const CURRENT: Os = if cfg!(target_os = "macos") {
        Os::MacOs
    } else if cfg!(windows) {
        Os::Windows
    } else {
        Os::Linux
    };

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::MacOs => "macOS",
            Os::Windows => "Windows",
        }
    }
}

/// An environment variable, unset when empty (as the docker CLI and XDG treat them).
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
