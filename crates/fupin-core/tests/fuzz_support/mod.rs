//! Shared set-up of the property-based fuzz tests (`tests/fuzz_*.rs`).
//!
//! CI budget: each test names its number of cases; the RNG is ChaCha with a fixed seed, so every
//! run tries the same inputs, and nothing is persisted. Long runs: `FUPIN_FUZZ_CASES=N` runs `N`
//! cases per test and `FUPIN_FUZZ_SEED=S` picks another seed (`scripts/fuzz.sh` sets both);
//! `FUPIN_FUZZ_COUNTS=path` appends the test's name to `path` once per case run.
#![allow(dead_code)]

use std::io::Write;
use std::sync::mpsc;
use std::time::Duration;

use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use serde_json::Value;

/// The fixed seed of CI runs.
pub const CI_SEED: u64 = 0x00f0_9f1e_2026_1207;

/// The config of a fuzz test with `cases` cases in CI.
pub fn config(cases: u32) -> Config {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    Config {
        cases: env("FUPIN_FUZZ_CASES").map_or(cases, |n| n as u32),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(env("FUPIN_FUZZ_SEED").unwrap_or(CI_SEED)),
        failure_persistence: None,
        max_shrink_iters: 200,
        max_global_rejects: 100_000,
        ..Config::default()
    }
}

/// Counts one case of `test` when `FUPIN_FUZZ_COUNTS` names a file.
pub fn count(test: &str) {
    let Ok(path) = std::env::var("FUPIN_FUZZ_COUNTS") else {
        return;
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{test}");
    }
}

/// Runs `f` on its own thread; `Err` names a panic (`panicked: …`) or a call that did not return
/// within `seconds` (`FUZZ-HANG`; the thread is abandoned).
pub fn guarded<T: Send + 'static>(
    seconds: u64,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(Duration::from_secs(seconds)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(p)) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
        Err(_) => Err(format!("FUZZ-HANG: no answer within {seconds} s")),
    }
}

/// Odd JSON values a tampered document may hold.
pub fn odd_values() -> Vec<Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1),
        json!(255),
        json!(65535),
        json!(65536),
        json!(2_147_483_648_u64),
        json!(4_294_967_296_u64),
        json!(9_007_199_254_740_993_u64),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(0.5),
        json!(-0.5),
        json!(1e6),
        json!(1e30),
        json!(1e300),
        json!(-1e300),
        json!(5e-324),
        json!(""),
        json!("x"),
        json!([]),
        json!({}),
        json!([1]),
    ]
}

/// Every path (keys and indices) into `v`, the first few elements of long arrays only.
pub fn paths(v: &Value) -> Vec<Vec<PathPart>> {
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

#[derive(Clone, Debug)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

fn walk(v: &Value, prefix: &mut Vec<PathPart>, out: &mut Vec<Vec<PathPart>>) {
    if !prefix.is_empty() {
        out.push(prefix.clone());
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(PathPart::Key(k.clone()));
                walk(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            let n = items.len();
            for i in (0..n.min(6)).chain((n > 6).then(|| n - 1)) {
                prefix.push(PathPart::Index(i));
                walk(&items[i], prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn parent_mut<'a>(v: &'a mut Value, path: &[PathPart]) -> Option<&'a mut Value> {
    let mut node = v;
    for p in &path[..path.len() - 1] {
        node = match p {
            PathPart::Key(k) => node.get_mut(k.as_str())?,
            PathPart::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

/// One mutation of a JSON document: `choice` picks the path, `op` the operation (replace by an
/// odd value, nudge a number, delete, truncate an array, duplicate an element), `pick` the value.
/// When `op`'s high bit is set and `focus` names top-level keys, the path is one under them.
pub fn mutate(doc: &mut Value, focus: &[&str], choice: usize, op: u8, pick: usize) -> String {
    let mut all = paths(doc);
    if op & 0x80 != 0 && !focus.is_empty() {
        let focused: Vec<Vec<PathPart>> = all
            .iter()
            .filter(|p| matches!(&p[0], PathPart::Key(k) if focus.contains(&k.as_str())))
            .cloned()
            .collect();
        if !focused.is_empty() {
            all = focused;
        }
    }
    if all.is_empty() {
        return "nothing to mutate".into();
    }
    let path = all[choice % all.len()].clone();
    let Some(parent) = parent_mut(doc, &path) else {
        return "path vanished".into();
    };
    let last = path[path.len() - 1].clone();
    let odd = odd_values();
    let slot: Option<&mut Value> = match &last {
        PathPart::Key(k) => parent.get_mut(k.as_str()),
        PathPart::Index(i) => parent.get_mut(*i),
    };
    let Some(slot) = slot else {
        return "path vanished".into();
    };
    let what = match op % 5 {
        1 if slot.is_number() => {
            let x = slot.as_f64().unwrap_or(0.0);
            let d = [-1.0, 1.0, -1000.0, 1e6, 0.5][pick % 5];
            *slot = serde_json::json!(x + d);
            "nudge"
        }
        2 => {
            match (&mut *parent, &last) {
                (Value::Object(m), PathPart::Key(k)) => {
                    m.remove(k);
                }
                (Value::Array(a), PathPart::Index(i)) => {
                    a.remove(*i);
                }
                _ => {}
            }
            "delete"
        }
        3 if slot.as_array().is_some_and(|a| !a.is_empty()) => {
            if let Value::Array(a) = slot {
                let keep = pick % a.len();
                a.truncate(keep);
            }
            "truncate"
        }
        4 if slot.as_array().is_some_and(|a| !a.is_empty()) => {
            if let Value::Array(a) = slot {
                let first = a[0].clone();
                a.push(first);
            }
            "duplicate"
        }
        _ => {
            *slot = odd[pick % odd.len()].clone();
            "replace"
        }
    };
    format!("{what} {path:?}")
}

/// Byte-level edits of a text: delete a span, insert a character, change a digit, duplicate a
/// line, cut the text short.
pub fn edit_text(text: &str, edits: &[(u8, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    const INSERTS: &[char] = &[
        '0', '9', '-', '.', 'e', '[', ']', '{', '}', '"', '\'', '=', ',', '\n', '#', '\\', ' ',
        '贫', '\0',
    ];
    for &(op, at, arg) in edits {
        let n = chars.len();
        let i = if n == 0 { 0 } else { at % n };
        match op % 5 {
            0 => {
                let end = (i + 1 + arg % 8).min(n);
                chars.drain(i..end);
            }
            1 => chars.insert(i, INSERTS[arg % INSERTS.len()]),
            2 => {
                let digits: Vec<usize> = (0..n).filter(|&j| chars[j].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let j = digits[arg % digits.len()];
                    chars[j] = ['0', '1', '5', '9', '-', '.', 'e'][arg % 7];
                }
            }
            3 => {
                let s: String = chars.iter().collect();
                let lines: Vec<&str> = s.split('\n').collect();
                let k = arg % lines.len();
                let mut out: Vec<&str> = lines[..=k].to_vec();
                out.extend_from_slice(&lines[k..]);
                chars = out.join("\n").chars().collect();
            }
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}

/// Replaces one number of a JSON text (`choice` picks it, among those within the byte range
/// `within` when given) by an odd number token (`pick`); the text route keeps integers beyond
/// `u64`, which `serde_json::Value` would turn into floats.
pub fn replace_number(
    text: &str,
    within: Option<(usize, usize)>,
    choice: usize,
    pick: usize,
) -> String {
    const ODD: &[&str] = &[
        "-1",
        "0",
        "1",
        "2",
        "3",
        "255",
        "65535",
        "65536",
        "4294967296",
        "9223372036854775807",
        "18446744073709551615",
        "-9223372036854775808",
        "340282366920938463463374607431768211455",
        "0.5",
        "-0.5",
        "1e300",
        "5e-324",
        "1e999",
        "null",
        "\"x\"",
        "[]",
    ];
    let bytes = text.as_bytes();
    let (from, limit) = within.unwrap_or((0, bytes.len()));
    let limit = limit.min(bytes.len());
    let mut spans = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < limit {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b == b'-' || b.is_ascii_digit() {
            let start = i;
            while i < bytes.len()
                && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
            {
                i += 1;
            }
            if start >= from {
                spans.push((start, i));
            }
            continue;
        }
        i += 1;
    }
    if spans.is_empty() {
        return text.to_string();
    }
    let (a, b) = spans[choice % spans.len()];
    format!("{}{}{}", &text[..a], ODD[pick % ODD.len()], &text[b..])
}
