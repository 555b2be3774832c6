//! Imports run one way. Every `crate::…` and `super::…` path in the sources (tests left out)
//! is an edge between modules: top-level ones, with `compose`, `pipelines` and `engine` counted
//! by their sub-modules (the engine's pump drives the domains that use its connection). The
//! graph has no cycle, and the bottom layers reach nothing above them.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules whose sub-modules are nodes of their own.
const SPLIT: &[&str] = &["compose", "pipelines", "engine"];
/// The lowest layers and the only modules each may import.
const BOTTOM: &[(&str, &[&str])] =
    &[("error", &["problem"]), ("problem", &[]), ("reference", &[]), ("objects", &["engine::connect", "error"])];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn node(path: &[String]) -> Option<String> {
    let first = path.first()?;
    match path.get(1) {
        Some(sub) if SPLIT.contains(&first.as_str()) && sub.starts_with(|c: char| c.is_ascii_lowercase()) => {
            Some(format!("{first}::{sub}"))
        }
        _ => Some(first.clone()),
    }
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    let Some(open) = path.find('{') else {
        return vec![path];
    };
    let (prefix, body) = (&path[..open], &path[open + 1..path.len() - 1]);
    let (mut parts, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    parts.push(cur);
    parts.iter().filter(|p| !p.is_empty()).flat_map(|p| expand(p)).map(|p| format!("{prefix}{p}")).collect()
}

/// The module paths a file's code names, resolved from `module`.
fn references(src: &str, module: &[String]) -> Vec<Vec<String>> {
    let src = src.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
    let src = Regex::new(r"//.*").unwrap().replace_all(src, "");
    let uses = Regex::new(r"(?-u:\b)use[ \t\r\n]+((?:crate|super)::[^;]*);").unwrap();
    let inline = Regex::new(r"(?-u:\b)(?:crate|super)(?:::(?:super|[A-Za-z_][A-Za-z0-9_]*))+").unwrap();
    let paths = uses.captures_iter(&src).flat_map(|c| expand(&c[1])).chain(inline.find_iter(&src).map(|m| m.as_str().to_string()));
    paths
        .map(|p| {
            let segs: Vec<String> = p.split("::").map(|s| s.split(" as ").next().unwrap_or(s).to_string()).collect();
            match segs[0].as_str() {
                "crate" => segs[1..].to_vec(),
                _ => {
                    let ups = segs.iter().take_while(|s| *s == "super").count();
                    let base = &module[..module.len().saturating_sub(ups)];
                    base.iter().chain(&segs[ups..]).cloned().collect()
                }
            }
        })
        .collect()
}

fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.with_extension("").iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // What a module re-exports at its root (`pub use up::{up, …}`), so `super::up` counts as
    // an import of `compose::up`; `crate::Engine` and `crate::Error` likewise.
    let mut exports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in SPLIT.iter().chain(&["."]) {
        let file = if *m == "." { root.join("lib.rs") } else { root.join(m).join("mod.rs") };
        let prefix: Vec<String> = if *m == "." { vec![] } else { vec![m.to_string()] };
        for path in references(&std::fs::read_to_string(file).unwrap().replace("pub use ", "use crate::"), &[]) {
            let target: Vec<String> = match path[0].as_str() {
                "crate" => path[1..].to_vec(),
                _ => prefix.iter().chain(&path).cloned().collect(),
            };
            let name = prefix.iter().chain(path.last()).cloned().collect::<Vec<_>>().join("::");
            exports.insert(name, target);
        }
    }
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let module = module_of(file.strip_prefix(&root).unwrap());
        let Some(me) = node(&module).filter(|m| m != "lib") else {
            continue;
        };
        for mut target in references(&std::fs::read_to_string(&file).unwrap(), &module) {
            // A re-export may name another (`crate::Engine` is `engine::Engine`, `engine::connect`).
            for _ in 0..3 {
                if let Some(t) =
                    target.get(..2).and_then(|k| exports.get(&k.join("::"))).or_else(|| target.first().and_then(|f| exports.get(f)))
                {
                    target = t.clone();
                }
            }
            let Some(to) = node(&target).filter(|t| t != "*" && t != "self") else {
                continue;
            };
            if to != me && !me.starts_with(&format!("{to}::")) && !to.starts_with(&format!("{me}::")) {
                graph.entry(me.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// A cycle, as the modules along it, if the graph has one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(n: &str, graph: &Graph, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            return Some(path[at..].iter().cloned().chain([n.to_string()]).collect());
        }
        if !done.insert(n.to_string()) {
            return None;
        }
        path.push(n.to_string());
        let found = graph.get(n).into_iter().flatten().find_map(|m| visit(m, graph, path, done));
        path.pop();
        found
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn imports_have_no_cycle() {
    let graph = graph();
    assert!(graph.contains_key("compose::up") && graph["compose::up"].contains("objects"), "the check reads the sources: {graph:?}");
    if let Some(c) = cycle(&graph) {
        panic!("these modules import each other in a circle: {}", c.join(" → "));
    }
}

#[test]
fn the_bottom_layers_reach_nothing_above() {
    let graph = graph();
    for (module, allowed) in BOTTOM {
        let above: Vec<&String> = graph.get(*module).into_iter().flatten().filter(|t| !allowed.contains(&t.as_str())).collect();
        assert!(above.is_empty(), "{module} imports {above:?}, which sit above it");
    }
}

#[test]
fn a_circle_is_found() {
    let g: Graph = [("a", "b"), ("b", "c"), ("c", "a")].iter().map(|(x, y)| (x.to_string(), BTreeSet::from([y.to_string()]))).collect();
    assert_eq!(cycle(&g).unwrap().join(" "), "a b c a");
    assert_eq!(expand("a::{b, c::{d, e}}"), ["a::b", "a::c::d", "a::c::e"]);
}
