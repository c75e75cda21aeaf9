//! The crate's modules import one another without a cycle: between the top-level modules, and
//! between the files of one directory (`runtime/xp.rs` and `runtime/outbound.rs`, say). A reader
//! then finds what a module needs by following its imports one way.
//!
//! The test reads the sources: a module "imports" another when its text names it through a path
//! (`crate::check::…`, `crate::{check, …}`, or `super::sibling` inside a directory). Comments are
//! left out. A parent module (`mod.rs`) and its children are one module at the top level, and the
//! parent is left out of its children's graph (a child names its parent's items freely).
//!
//! One directory is exempt, `spi`: its files are one family of COM interfaces that refer to one
//! another by nature, as the MAPI headers do (`IMSProvider::Logon` takes an `IMAPISupport`, whose
//! `OpenEntry` hands out an `IMsgStore`), split into files for reading only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Directories whose files may refer to one another (see the file's documentation).
const EXEMPT: &[&str] = &["spi"];

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without its comments (line comments, doc comments included).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal is rare in this crate's paths; the heuristic keeps
            // the part before it either way.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segments of the paths that start with `prefix` (`crate::`, `super::`), braces
/// included: `crate::{a::x, b}` gives `a` and `b`.
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        // Not the tail of a longer path (`$crate::`, `my_crate::`).
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The elements at depth one of the group.
            let mut depth = 1;
            let mut element = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 || (depth == 1 && c == ',') {
                    names.insert(ident(&element));
                    element.clear();
                    if depth == 0 {
                        break;
                    }
                } else if depth == 1 {
                    element.push(c);
                } else if element.trim().is_empty() {
                    // A nested group right after the brace: not a module name.
                } else {
                    element.push(c);
                }
            }
        } else {
            names.insert(ident(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// The cycles of `graph`: its strongly connected components of more than one node.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two nodes are in one component when each reaches the other.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(node) = todo.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = graph.keys().map(|k| (k, reach(k))).collect();
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for (node, from_node) in &reached {
        if done.contains(*node) {
            continue;
        }
        let component: Vec<String> = from_node
            .iter()
            .filter(|other| reached.get(other).is_some_and(|r| r.contains(*node)))
            .cloned()
            .collect();
        if component.len() > 1 {
            done.extend(component.iter().cloned());
            found.push(component);
        }
    }
    found
}

/// Adds `from → to` unless it is a loop.
fn edge(graph: &mut BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) {
    if from != to {
        graph.entry(from.to_owned()).or_default().insert(to.to_owned());
    }
}

/// The import graphs: the top-level one, and one per directory.
fn graphs(root: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut files = Vec::new();
    sources(root, &mut files);
    let top_modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(root).ok()?;
            let first = rel.components().next()?.as_os_str().to_str()?;
            Some(first.trim_end_matches(".rs").to_owned())
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut all: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in &files {
        let Ok(rel) = file.strip_prefix(root) else {
            continue;
        };
        let parts: Vec<String> = rel
            .iter()
            .filter_map(|p| p.to_str())
            .map(|p| p.trim_end_matches(".rs").to_owned())
            .collect();
        let Some(top) = parts.first().cloned() else {
            continue;
        };
        if top == "lib" || top == "main" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let text = code(&text);
        let named = named_after(&text, "crate::");
        let top_graph = all.entry(String::new()).or_default();
        for to in named.iter().filter(|n| top_modules.contains(*n)) {
            edge(top_graph, &top, to);
        }
        // Within a directory: the file's siblings it names, by `crate::dir::sibling` or
        // `super::sibling`.
        if parts.len() >= 2 {
            let dir = parts[..parts.len() - 1].join("/");
            let me = &parts[parts.len() - 1];
            if me == "mod" {
                continue;
            }
            let siblings: BTreeSet<String> = files
                .iter()
                .filter_map(|f| {
                    let r = f.strip_prefix(root).ok()?;
                    let p: Vec<&str> = r.iter().filter_map(|s| s.to_str()).collect();
                    (p.len() == parts.len() && p[..p.len() - 1].join("/") == dir)
                        .then(|| p[p.len() - 1].trim_end_matches(".rs").to_owned())
                })
                .filter(|s| s != "mod")
                .collect();
            let crate_prefix = format!("crate::{}::", parts[..parts.len() - 1].join("::"));
            let mut to_siblings = named_after(&text, &crate_prefix);
            to_siblings.extend(named_after(&text, "super::"));
            let dir_graph = all.entry(dir).or_default();
            for to in to_siblings.iter().filter(|s| siblings.contains(*s)) {
                edge(dir_graph, me, to);
            }
        }
    }
    all
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = graphs(&root);
    let top = all.get("").expect("the top-level graph");
    assert!(top.len() >= 8, "the top-level modules were not read: {top:?}");
    let runtime = all.get("runtime").expect("the runtime directory's graph");
    assert!(
        runtime.get("xp").is_some_and(|to| to.contains("state")),
        "runtime/xp.rs names runtime/state.rs: {runtime:?}"
    );
    let mut found = Vec::new();
    for (dir, graph) in all.iter().filter(|(dir, _)| !EXEMPT.contains(&dir.as_str())) {
        for cycle in cycles(graph) {
            let place = if dir.is_empty() { "src" } else { dir.as_str() };
            found.push(format!("{place}: {}", cycle.join(" ↔ ")));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn the_reader_finds_paths_in_groups_and_not_in_comments() {
    let text = code(
        "use crate::{check::rules, object::{Ref, WeakRef}, trace};\n// crate::spi\nlet x = super::xp::f();",
    );
    assert_eq!(
        named_after(&text, "crate::").into_iter().collect::<Vec<_>>(),
        ["check", "object", "trace"]
    );
    assert_eq!(
        named_after(&text, "super::").into_iter().collect::<Vec<_>>(),
        ["xp"]
    );
    let mut graph = BTreeMap::new();
    edge(&mut graph, "a", "b");
    edge(&mut graph, "b", "c");
    assert!(cycles(&graph).is_empty());
    edge(&mut graph, "c", "a");
    assert_eq!(
        cycles(&graph),
        vec![vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]
    );
}
