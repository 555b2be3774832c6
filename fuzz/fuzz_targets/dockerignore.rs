//! `.dockerignore`: reading the file, compiling its patterns, matching paths.
//! Input: the file's text, then optionally a NUL and one path to match per line.
#![no_main]
use berth_core::build::ignore::{self, PatternMatcher};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (file, paths) = text.split_once('\0').unwrap_or((text, "a/b/c\nDockerfile\n.git"));
    let patterns = ignore::read_patterns(file);
    for p in &patterns {
        let once = ignore::clean(p);
        assert_eq!(ignore::clean(&once), once, "cleaning {p:?} twice");
    }
    let Ok(matcher) = PatternMatcher::new(&patterns) else { return };
    for path in paths.lines() {
        let _ = matcher.matches(path);
        let _ = matcher.may_reinclude_below(path);
    }
});
