//! The module layers of `fupin-core`, read from the source tree (issue 13).
//!
//! For every top-level module (a file `src/<m>.rs` or a folder `src/<m>/`), collect the crate
//! modules its code names as `crate::<module>` (also inside `use crate::{a, b::c}` groups).
//! Comment lines — `//`, `///` and `//!`, doc links included — are left out: a link in the
//! documentation is not an import. Test code inside the source files is included.
//!
//! The test fails if any file under `policy/`, `measures/`, `dynamics/` or `registry/` names
//! `crate::engine`; any under `engine/` or `measures/` names `crate::policy`; a leaf (`error`,
//! `units`, `files`, `random`) names a module other than the leaves and `cancel`; a module names
//! one above it in [`ORDER`] (the module table of DESIGN.md, bottom up); or the top-level modules
//! form a cycle (depth-first search).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up: each may name only modules before it.
const ORDER: &[&str] = &[
    "error",
    "cancel",
    "units",
    "files",
    "random",
    "stats",
    "parallel",
    "fastmath",
    "simd",
    "registry",
    "dynamics",
    "synth",
    "metrics",
    "targeting",
    "measures",
    "policy",
    "engine",
    "results",
    "scenario",
    "timelines",
    "calibrate",
];

const LEAVES: &[&str] = &["error", "units", "files", "random", "stats"];

/// The `.rs` files under `path` (or `path` itself), sorted.
fn rust_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(path)
        .expect("readable source folder")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// The code of `text` without its comment lines.
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The crate modules named in `code`: `crate::m…` and the first segments of `crate::{m, n::x}`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // Not part of a longer path such as `fupin_crate::`.
        if code[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut at_segment_start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_segment_start = true,
                    c if at_segment_start && !c.is_whitespace() => {
                        at_segment_start = false;
                        out.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

/// Lower-case names are modules; `crate::Error`, `crate::Result`, … are re-exports of the root.
fn is_module(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// Top-level module → (modules it names, with the first file naming each).
fn graph(src: &Path) -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut g = BTreeMap::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(src)
        .expect("readable src")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let name = if p.is_dir() {
            p.file_name().map(|n| n.to_string_lossy().into_owned())
        } else {
            p.file_stem().map(|n| n.to_string_lossy().into_owned())
        };
        let Some(name) = name else { continue };
        if name == "lib" || (p.is_file() && p.extension().is_none_or(|e| e != "rs")) {
            continue;
        }
        let edges: &mut BTreeMap<String, PathBuf> = g.entry(name.clone()).or_default();
        for file in rust_files(&p) {
            let text = fs::read_to_string(&file).expect("readable source file");
            for m in named_modules(&code(&text)) {
                if is_module(&m) && m != name {
                    edges.entry(m).or_insert_with(|| file.clone());
                }
            }
        }
    }
    g
}

/// A cycle among the modules of `g`, if any (depth-first search).
fn find_cycle(g: &BTreeMap<String, BTreeMap<String, PathBuf>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|p| p == n).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(n.to_string(), 1);
        path.push(n.to_string());
        for m in g.get(n).into_iter().flat_map(|e| e.keys()) {
            if let Some(c) = visit(m, g, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in g.keys() {
        if let Some(c) = visit(n, g, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

/// Every violation of the layer rules in the source tree at `src`.
fn violations(src: &Path) -> Vec<String> {
    let mut bad = Vec::new();
    let forbidden: [(&[&str], &str); 2] = [
        (&["policy", "measures", "dynamics", "registry"], "engine"),
        (&["engine", "measures"], "policy"),
    ];
    for (folders, target) in forbidden {
        for folder in folders {
            for file in rust_files(&src.join(folder)) {
                let text = fs::read_to_string(&file).expect("readable source file");
                if named_modules(&code(&text)).contains(target) {
                    bad.push(format!("{} names crate::{target}", file.display()));
                }
            }
        }
    }
    let g = graph(src);
    for (m, edges) in &g {
        for (to, file) in edges {
            if LEAVES.contains(&m.as_str()) && !LEAVES.contains(&to.as_str()) && to != "cancel" {
                bad.push(format!("leaf {m} names {to} ({})", file.display()));
            }
            match (
                ORDER.iter().position(|o| o == m),
                ORDER.iter().position(|o| o == to),
            ) {
                (Some(a), Some(b)) if b > a => {
                    bad.push(format!("{m} names {to}, above it ({})", file.display()))
                }
                (None, _) => bad.push(format!("module {m} is missing from ORDER")),
                (_, None) => bad.push(format!("{m} names {to}, which is not a module in ORDER")),
                _ => {}
            }
        }
    }
    if let Some(cycle) = find_cycle(&g) {
        bad.push(format!("cycle: {}", cycle.join(" → ")));
    }
    bad
}

#[test]
fn modules_import_only_downwards_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let bad = violations(&src);
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
    // Every module of the crate is placed in ORDER, and every module of ORDER exists.
    let g = graph(&src);
    let found: BTreeSet<&str> = g.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = ORDER.iter().copied().collect();
    assert_eq!(found, listed);
}

#[test]
fn the_scanner_sees_paths_groups_and_cycles() {
    let c = code("use crate::{a, b::{c, d}};\n/// [`crate::doc`]\nlet x = crate::e::f();\n");
    let got: Vec<String> = named_modules(&c).into_iter().collect();
    assert_eq!(got, vec!["a", "b", "e"]);
    assert!(named_modules("fupin_crate::x").is_empty());
    let mut g: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    let edge = |g: &mut BTreeMap<String, BTreeMap<String, PathBuf>>, a: &str, b: &str| {
        g.entry(a.into())
            .or_default()
            .insert(b.into(), PathBuf::new());
    };
    edge(&mut g, "a", "b");
    edge(&mut g, "b", "c");
    assert_eq!(find_cycle(&g), None);
    edge(&mut g, "c", "a");
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
