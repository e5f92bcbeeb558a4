//! [`merge`]: the shards of one exploration joined into the [`Summary`] one process over the
//! whole seed range gives: the counts summed, the seeds in seed order (the first
//! [`SEEDS_KEPT`](super::SEEDS_KEPT) per invariant), and for each invariant the finding of the
//! lowest seed, each shrunk by the shard that ran it exactly as one process would have
//! (shrinking depends on the seed alone).
//!
//! ```
//! use jostle_harness::explore::{Explorer, Shard, Space, Summary, merge};
//!
//! let explorer = Explorer::new(Space::default()).balancer("round_robin_dialer")?;
//! let command = "jostle explore --balancer round_robin_dialer";
//! let whole = Summary::new(&explorer.clone().seeds(0..2).run_blocking()?, command, 0..2, None);
//! let mut parts = Vec::new();
//! for index in [1, 0] {
//!     let shard = Shard::new(index, 2)?;
//!     let found = explorer.clone().seeds(shard.part(&(0..2))?).run_blocking()?;
//!     parts.push(Summary::new(&found, command, 0..2, Some(shard)));
//! }
//! let (merged, from) = merge(&parts)?;
//! assert_eq!(merged, whole);
//! assert_eq!(from, [1], "the finding of seed 0 comes from shard 0, the second given");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::explorer::SEEDS_KEPT;
use super::invariants::INVARIANTS;
use super::summary::Summary;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::ops::Range;

/// `parts`, every shard of one exploration once each in any order, joined; with, for each
/// merged finding, the index in `parts` of the shard whose file it is.
///
/// # Errors
///
/// [`Error::Shards`] when the parts are not one exploration: a summary of no shard, shards of
/// different balancers, commands (space, profile, shrink runs) or seed ranges, or of
/// different counts; a shard given twice or missing; a shard that did not run its whole part
/// (cut short by `--time`).
pub fn merge(parts: &[Summary]) -> Result<(Summary, Vec<usize>)> {
    let refuse = |why: String| Err(Error::Shards { why });
    let Some(first) = parts.first() else {
        return refuse("no shard given".into());
    };
    let mut by_index = BTreeMap::new();
    for (at, part) in parts.iter().enumerate() {
        let Some(shard) = part.shard else {
            return refuse(format!("part {} is a whole exploration, not a shard", at + 1));
        };
        for (what, a, b) in [
            ("balancer", &first.balancer, &part.balancer),
            ("command", &first.command, &part.command),
        ] {
            if a != b {
                return refuse(format!("shard {shard} has {what} `{b}`, shard {} `{a}`", {
                    first.shard.map_or_else(String::new, |s| s.to_string())
                }));
            }
        }
        if part.range != first.range {
            return refuse(format!(
                "shard {shard} is part of seeds {}..{}, another of seeds {}..{}",
                part.range.start, part.range.end, first.range.start, first.range.end
            ));
        }
        let count = first.shard.map_or(0, |s| s.count);
        if shard.count != count {
            return refuse(format!("shard {shard} is one of {}, another one of {count}", {
                shard.count
            }));
        }
        if by_index.insert(shard.index, at).is_some() {
            return refuse(format!("shard {shard} is given twice (overlapping shards)"));
        }
        let part_range = shard.part(&part.range)?;
        if part.first_seed != part_range.start
            || part.schedules != part_range.end - part_range.start
        {
            return refuse(format!(
                "shard {shard} ran seeds {}..{} of its part {}..{} (cut short by --time?); \
                 expected every seed of its part",
                part.first_seed,
                part.first_seed + part.schedules,
                part_range.start,
                part_range.end
            ));
        }
        check_part(part, &part_range)
            .map_err(|why| Error::Shards { why: format!("shard {shard}: {why}") })?;
    }
    let count = first.shard.map_or(0, |s| s.count);
    let missing: Vec<String> =
        (0..count).filter(|i| !by_index.contains_key(i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        return refuse(format!("missing shards: {}", missing.join(", ")));
    }
    let mut merged = Summary {
        shard: None,
        first_seed: first.range.start,
        schedules: 0,
        violated: BTreeMap::new(),
        seeds: BTreeMap::new(),
        findings: Vec::new(),
        ..first.clone()
    };
    let mut candidates = Vec::new();
    // In shard order the parts are the range in order: seeds append in seed order.
    for &at in by_index.values() {
        let part = &parts[at];
        merged.schedules += part.schedules;
        for (invariant, count) in &part.violated {
            *merged.violated.entry(invariant.clone()).or_default() += count;
        }
        for (invariant, seeds) in &part.seeds {
            let kept = merged.seeds.entry(invariant.clone()).or_default();
            kept.extend(seeds.iter().take(SEEDS_KEPT.saturating_sub(kept.len())));
        }
        candidates.extend(part.findings.iter().map(|finding| (at, finding)));
    }
    // The lowest seed's finding for each invariant; those of one seed come from one shard, in
    // the order it found them, which a stable sort by seed keeps.
    candidates.sort_by_key(|(_, finding)| finding.seed);
    let mut from = Vec::new();
    for (at, finding) in candidates {
        if !merged.findings.iter().any(|f| f.invariant == finding.invariant) {
            merged.findings.push(finding.clone());
            from.push(at);
        }
    }
    Ok((merged, from))
}

/// Checks what a shard says of itself against its part of the seeds: names a file may carry,
/// seeds in the part and in order, counts that hold them.
fn check_part(part: &Summary, range: &Range<u64>) -> std::result::Result<(), String> {
    let safe = |name: &str| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if !safe(&part.balancer) {
        return Err(format!("balancer `{}` is not a built-in balancer's name", part.balancer));
    }
    let known = |invariant: &str| INVARIANTS.contains(&invariant) || invariant == "no-panic";
    for (invariant, seeds) in &part.seeds {
        let count = part.violated.get(invariant).copied().unwrap_or(0);
        if !known(invariant) || seeds.is_empty() || seeds.len() as u64 > count {
            return Err(format!("the seeds of `{invariant}` do not match its count {count}"));
        }
        if seeds.len() > SEEDS_KEPT
            || seeds.windows(2).any(|w| w[0] >= w[1])
            || seeds.iter().any(|seed| !range.contains(seed))
        {
            return Err(format!(
                "the seeds of `{invariant}` are not in seed order within {}..{} (at most {SEEDS_KEPT})",
                range.start, range.end
            ));
        }
    }
    for (invariant, count) in &part.violated {
        if !known(invariant)
            || *count > range.end - range.start
            || !part.seeds.contains_key(invariant)
        {
            return Err(format!("`{invariant}` broken {count} times does not fit its seeds"));
        }
    }
    for finding in &part.findings {
        if part.seeds.get(&finding.invariant).and_then(|seeds| seeds.first()) != Some(&finding.seed)
        {
            return Err(format!(
                "its finding of `{}` at seed {} is not the first seed that broke it",
                finding.invariant, finding.seed
            ));
        }
    }
    Ok(())
}
