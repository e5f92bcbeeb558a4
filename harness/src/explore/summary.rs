//! [`Summary`]: what an exploration (or one shard of it) found, as `jostle explore` writes it
//! (`--json`, and `shard.json` in a shard's findings folder) and `jostle explore merge` reads
//! it back; and the files of a findings folder, named and written from one place.
//!
//! ```
//! use jostle_harness::explore::{Explorer, Space, Summary};
//!
//! let explorer = Explorer::new(Space::default()).balancer("round_robin_dialer")?;
//! let found = explorer.seeds(0..2).run_blocking()?;
//! let summary = Summary::new(&found, "jostle explore --balancer round_robin_dialer", 0..2, None);
//! assert_eq!(summary.violated["settled"], 2);
//! assert_eq!(summary.seeds["settled"], [0, 1]);
//! assert_eq!(summary.finding_name(&summary.findings[0]), "round_robin_dialer-settled-seed-0.toml");
//! assert!(summary.seeds_file("settled").ends_with("1 jostle explore --balancer round_robin_dialer --seeds 1..2\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::explorer::Exploration;
use super::finding::Broken;
use super::shard::Shard;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

/// The name of a shard's summary in its findings folder.
pub const SHARD_SUMMARY: &str = "shard.json";

/// What an exploration found: its parameters, counts, the seeds that broke each invariant and
/// the findings (each a file in the findings folder).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The balancer under test.
    pub balancer: String,
    /// The exploration's command without its seeds (`jostle explore --balancer NAME` and every
    /// flag that shapes the schedules or their shrinking): what shards of one exploration
    /// share.
    pub command: String,
    /// The seed range asked for, whole (for a shard too).
    pub range: Range<u64>,
    /// Which part of the range this is, or none for a whole exploration.
    pub shard: Option<Shard>,
    /// The first seed run.
    pub first_seed: u64,
    /// How many schedules ran, seeds `first_seed..first_seed + schedules`.
    pub schedules: u64,
    /// For each invariant broken, how many schedules broke it.
    pub violated: BTreeMap<String, u64>,
    /// For each invariant broken, the seeds that broke it in seed order (the first
    /// [`SEEDS_KEPT`](super::SEEDS_KEPT)).
    pub seeds: BTreeMap<String, Vec<u64>>,
    /// The first schedule to break each invariant, shrunk, in the order found.
    pub findings: Vec<FindingSummary>,
}

/// One finding in a [`Summary`]: what broke, and its file. Reads as its [`Broken`]
/// (`finding.seed`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingSummary {
    /// What broke and how far it shrank, as the [`Finding`](super::Finding) says it.
    #[serde(flatten)]
    pub broken: Broken,
    /// Its file: the name in the findings folder (`shard.json`), or the path written
    /// (`--json`).
    pub file: String,
}

impl std::ops::Deref for FindingSummary {
    type Target = Broken;

    fn deref(&self) -> &Broken {
        &self.broken
    }
}

impl Summary {
    /// The summary of `found`, an exploration by `command` (without its seeds) of `range`, or
    /// of `shard`'s part of it.
    pub fn new(
        found: &Exploration,
        command: &str,
        range: Range<u64>,
        shard: Option<Shard>,
    ) -> Self {
        let mut summary = Self {
            balancer: found.balancer.clone(),
            command: command.to_owned(),
            range,
            shard,
            first_seed: found.first_seed,
            schedules: found.schedules,
            violated: found.violated.clone(),
            seeds: found.seeds.clone(),
            findings: Vec::new(),
        };
        summary.findings = found
            .findings
            .iter()
            .map(|f| FindingSummary { broken: f.broken.clone(), file: String::new() })
            .collect();
        for i in 0..summary.findings.len() {
            summary.findings[i].file = summary.finding_name(&summary.findings[i]);
        }
        summary
    }

    /// The name of `finding`'s file in the findings folder.
    pub fn finding_name(&self, finding: &FindingSummary) -> String {
        format!("{}-{}-seed-{}.toml", self.balancer, finding.invariant, finding.seed)
    }

    /// The name of the file of the seeds that broke `invariant`.
    pub fn seeds_name(&self, invariant: &str) -> String {
        format!("{}-{invariant}-seeds.txt", self.balancer)
    }

    /// The file of the seeds that broke `invariant`: each on its line with the command that
    /// searches it alone (and writes its finding).
    pub fn seeds_file(&self, invariant: &str) -> String {
        let count = self.violated.get(invariant).copied().unwrap_or(0);
        let seeds = self.seeds.get(invariant).map_or(&[][..], Vec::as_slice);
        let mut text = format!(
            "# `{invariant}` broken by {count} of {} schedules against {} (seeds {}..{}).\n",
            self.schedules,
            self.balancer,
            self.first_seed,
            self.first_seed + self.schedules
        );
        if let Some(first) = self.findings.iter().find(|f| f.invariant == invariant) {
            let _ = writeln!(text, "# The first, seed {}, is shrunk in {}.", first.seed, {
                self.finding_name(first)
            });
        }
        let kept = if seeds.len() as u64 == count {
            String::from("The seeds that broke it")
        } else {
            format!("The first {} seeds that broke it", seeds.len())
        };
        let _ = writeln!(text, "# {kept}, each with the command that searches it alone:");
        for seed in seeds {
            let _ = writeln!(text, "{seed} {} --seeds {seed}..{}", self.command, seed + 1);
        }
        text
    }

    /// Every file of the findings folder but the findings' own: each broken invariant's seeds
    /// file, by name.
    pub fn seeds_files(&self) -> Vec<(String, String)> {
        self.violated.keys().map(|i| (self.seeds_name(i), self.seeds_file(i))).collect()
    }
}
