//! One Berth per user session on Linux, over the session bus: the first launch owns the name
//! `<identifier>.SingleInstance`; a later one calls it with its arguments and working folder,
//! then exits. The name, path and method are those of Tauri's single-instance plugin (which
//! macOS and Windows keep), so versions of Berth built either way find each other. Linux does
//! it here with libdbus, which the keychain and the window already load, because the plugin's
//! own D-Bus stack (zbus) added half a megabyte of code and a thread that woke twice a second
//! for as long as Berth ran (issue 15).

use dbus::blocking::Connection;
use dbus::channel::MatchingReceiver;
use dbus::message::MatchRule;
use std::time::Duration;

const INTERFACE: &str = "org.SingleInstance.DBus";
const METHOD: &str = "ExecuteCallback";

/// This launch's part.
pub enum Claim {
    /// The first Berth of the session: owns the name, and serves it once the app is up.
    First(Connection),
    /// There is no session bus, so no way to find another Berth: run as if the first.
    Alone,
    /// Another Berth took this launch's arguments: exit.
    HandedOver,
}

/// Run before anything else starts, so a second launch exits at once.
pub fn claim(identifier: &str) -> Claim {
    let name = bus_name(identifier);
    let Ok(connection) = Connection::new_session() else {
        tracing::warn!("single instance: no D-Bus session bus, so no other Berth can be found; launching normally");
        return Claim::Alone;
    };
    use dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply;
    match connection.request_name(name.as_str(), false, false, true) {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => Claim::First(connection),
        Ok(_) => match hand_over(&connection, &name) {
            Ok(()) => Claim::HandedOver,
            Err(e) => {
                tracing::warn!(error = %e, "single instance: the running Berth did not take this launch's folder; launching normally");
                Claim::Alone
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "single instance: cannot ask the session bus for Berth's name; launching normally");
            Claim::Alone
        }
    }
}

/// Answers later launches for as long as the app runs, on a thread of its own that sleeps until
/// a message comes.
pub fn serve(connection: Connection, identifier: &str, on_launch: impl Fn(Vec<String>, String) + Send + 'static) {
    let rule = MatchRule::new_method_call().with_path(object_path(&bus_name(identifier))).with_interface(INTERFACE).with_member(METHOD);
    connection.start_receive(
        rule,
        Box::new(move |call, connection| {
            if let Ok((args, cwd)) = call.read2::<Vec<String>, String>() {
                on_launch(args, cwd);
            }
            let _ = dbus::channel::Sender::send(connection, call.method_return());
            true
        }),
    );
    let spawned = std::thread::Builder::new().name("single-instance".into()).spawn(move || loop {
        if connection.process(Duration::from_secs(3600)).is_err() {
            tracing::warn!("single instance: the session bus went away; later launches will open their own window");
            return;
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "single instance: cannot start its thread");
    }
}

fn hand_over(connection: &Connection, name: &str) -> Result<(), dbus::Error> {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let cwd = std::env::current_dir().unwrap_or_default().to_string_lossy().into_owned();
    let running = connection.with_proxy(name, object_path(name), Duration::from_secs(10));
    running.method_call::<(), _, _, _>(INTERFACE, METHOD, (args, cwd))
}

fn bus_name(identifier: &str) -> String {
    format!("{identifier}.SingleInstance")
}

/// The plugin's object path: the name's dots as slashes, dashes as underscores.
fn object_path(name: &str) -> String {
    format!("/{}", name.replace('.', "/").replace('-', "_"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_object_as_the_plugin_does() {
        assert_eq!(super::object_path(&super::bus_name("dev.berth-app.x")), "/dev/berth_app/x/SingleInstance");
    }
}
