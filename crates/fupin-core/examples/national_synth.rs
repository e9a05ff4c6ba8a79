//! Generate a national-scale synthetic registry and report time and peak memory.
//!
//! ```text
//! cargo run --release -p fupin-core --example national_synth [HOUSEHOLDS] [VILLAGES]
//! ```
//!
//! Defaults: 30,000,000 households (about the 2014 register's 29.48 million) in one village per
//! 50 households (600,000 villages). Prints the wall time of `synthetic` (generation plus the
//! registry's validation), the peak resident memory (VmHWM from /proc/self/status), and separately
//! the time of the duplicate-id index that validation builds.
#![allow(clippy::print_stdout)] // A command-line example reports on stdout.

use std::time::Instant;

use fupin_core::synth::synthetic;

fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let households: usize = match args.next() {
        Some(a) => a.replace('_', "").parse()?,
        None => 30_000_000,
    };
    let villages: usize = match args.next() {
        Some(a) => a.replace('_', "").parse()?,
        None => (households / 50).max(1),
    };
    println!(
        "households {households}, villages {villages}, rayon threads {}",
        rayon::current_num_threads()
    );
    let start = Instant::now();
    let reg = synthetic(households, villages, 2014)?;
    let elapsed = start.elapsed();
    let peak = status_kib("VmHWM:").unwrap_or(0);
    println!(
        "generated {} households, {} villages, {} counties in {:.2} s ({:.0} ns/household)",
        reg.n_households(),
        reg.n_villages(),
        reg.n_counties(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e9 / households as f64
    );
    println!(
        "peak RSS (VmHWM) {:.2} GiB; current RSS {:.2} GiB",
        peak as f64 / 1_048_576.0,
        status_kib("VmRSS:").unwrap_or(0) as f64 / 1_048_576.0
    );
    // Validation checks id uniqueness with `Ids::first_duplicate` (a linear scan for increasing
    // ids); for comparison, the cost of the id -> row map it replaced.
    let start = Instant::now();
    let unique = reg.households().id.first_duplicate().is_none();
    println!(
        "uniqueness check used by validation: {:.3} s, unique = {unique}",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let index = reg.households().id.index();
    println!(
        "for comparison, an id -> row HashMap over the same ids: {:.2} s, ok = {}",
        start.elapsed().as_secs_f64(),
        index.is_ok()
    );
    Ok(())
}
