//! `jostle explore --shard I/N` and `jostle explore merge`: shards of a seed range, merged,
//! give the files of one process over the whole range, byte for byte; a merge of shards that
//! are not one exploration writes nothing and exits 2.

use super::{jostle, text};
use rstest::rstest;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every file under `dir`, by path relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("a findings folder") {
        let path = entry.unwrap().path();
        assert!(path.is_file(), "a findings folder holds files only: {}", path.display());
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        files.insert(name, std::fs::read(&path).unwrap());
    }
    files
}

/// `jostle explore` with `flags`, and `env` set.
fn explore(flags: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jostle"));
    command
        .arg("explore")
        .args(flags)
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("JOB_COMPLETIONS");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("jostle runs")
}

/// Runs `flags` over `seeds` as one process and as `count` shard processes side by side, and
/// merges the shards; the folders and JSON summaries of both, and merge's output.
fn whole_and_merged(
    dir: &Path,
    flags: &[&str],
    seeds: &str,
    count: u64,
) -> [(Output, std::path::PathBuf, serde_json::Value); 2] {
    let run = |out: &Path, json: &Path, shard: Option<u64>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jostle"));
        command
            .arg("explore")
            .args(flags)
            .args(["--seeds", seeds, "--out"])
            .arg(out)
            .arg("--json")
            .arg(json);
        command.env_remove("JOB_COMPLETION_INDEX").env_remove("JOB_COMPLETIONS");
        if let Some(index) = shard {
            command.arg("--shard").arg(format!("{index}/{count}"));
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("jostle runs")
    };
    let whole_out = dir.join("whole");
    let whole_json = dir.join("whole.json");
    let mut running = vec![run(&whole_out, &whole_json, None)];
    let shard_outs: Vec<_> = (0..count).map(|i| dir.join(format!("shard-{i}"))).collect();
    for (index, out) in shard_outs.iter().enumerate() {
        running.push(run(out, &dir.join(format!("shard-{index}.json")), Some(index as u64)));
    }
    let mut outputs: Vec<Output> =
        running.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    for output in &outputs[1..] {
        assert!(matches!(output.status.code(), Some(0 | 1)), "a shard runs: {output:?}");
    }
    let merged_out = dir.join("merged");
    let merged_json = dir.join("merged.json");
    let mut args = vec!["explore".to_owned(), "merge".to_owned()];
    // In reverse: a merge takes the shards in any order.
    args.extend(shard_outs.iter().rev().map(|p| p.display().to_string()));
    args.extend([
        "--out".into(),
        merged_out.display().to_string(),
        "--json".into(),
        merged_json.display().to_string(),
    ]);
    let merge = jostle(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let whole = outputs.remove(0);
    let read = |json: &Path, out: &Path| -> serde_json::Value {
        let text = std::fs::read_to_string(json).expect("the summary is written");
        // The findings' paths differ by folder only.
        serde_json::from_str(&text.replace(&out.display().to_string(), "OUT")).unwrap()
    };
    let whole_summary = read(&whole_json, &whole_out);
    let merged_summary = read(&merged_json, &merged_out);
    [(whole, whole_out, whole_summary), (merge, merged_out, merged_summary)]
}

/// fallback_dialer over 0..12 breaks `settled` at seeds 0 and 9 (shards 0 and 2 of three find
/// it, merge keeps seed 0's); round_robin_dialer over 0..6 breaks it in every shard.
#[rstest]
#[case::a_finding_in_the_first_and_the_last_shard("fallback_dialer", "0..12", 3)]
#[case::findings_in_every_shard("round_robin_dialer", "0..6", 3)]
#[case::a_finding_in_the_last_shard_only("fallback_dialer", "1..12", 3)]
fn shards_merged_give_the_files_of_one_process_over_the_range_byte_for_byte(
    #[case] balancer: &str,
    #[case] seeds: &str,
    #[case] count: u64,
) {
    let dir = tempfile::tempdir().unwrap();
    let flags = ["--balancer", balancer, "--shrink-runs", "12"];
    let [(whole, whole_out, whole_summary), (merge, merged_out, merged_summary)] =
        whole_and_merged(dir.path(), &flags, seeds, count);
    assert_eq!(whole.status.code(), Some(1), "the range holds a finding: {whole:?}");
    assert_eq!(merge.status.code(), Some(1), "merged, it still does: {merge:?}");
    let (whole_tree, merged_tree) = (tree(&whole_out), tree(&merged_out));
    assert!(
        whole_tree.keys().any(|name| name.ends_with(".toml")),
        "a finding's file: {whole_tree:?}"
    );
    assert_eq!(
        whole_tree.keys().collect::<Vec<_>>(),
        merged_tree.keys().collect::<Vec<_>>(),
        "the merged folder must hold the files of one process over {seeds}"
    );
    for (name, bytes) in &whole_tree {
        assert!(
            merged_tree[name] == *bytes,
            "{name}: merged, it must be byte for byte the file of one process over {seeds}:\n{}\n---\n{}",
            text(bytes),
            text(&merged_tree[name])
        );
    }
    assert_eq!(merged_summary, whole_summary, "the merged summary must be one process's");
    let stdout = text(&merge.stdout);
    let findings = |out: &str| {
        out.lines()
            .filter(|l| l.starts_with("finding:") || l.starts_with("  "))
            .map(|l| {
                l.replace(&merged_out.display().to_string(), "OUT")
                    .replace(&whole_out.display().to_string(), "OUT")
            })
            .collect::<Vec<_>>()
    };
    let whole_stdout = text(&whole.stdout);
    assert_eq!(findings(&stdout), findings(&whole_stdout), "merge reports what one process does");
}

/// Three shards of round_robin_dialer over 0..3, no shrinking, the last with `extra` flags
/// (space-separated): their folders in `dir`.
fn three_shards(dir: &Path, extra: &str) -> Vec<String> {
    (0..3)
        .map(|index| {
            let out = dir.join(format!("s{index}")).display().to_string();
            let shard = format!("{index}/3");
            let mut flags = vec!["--balancer", "round_robin_dialer", "--shrink-runs", "0"];
            flags.extend(["--seeds", "0..3", "--shard", &shard, "--out", &out]);
            if index == 2 {
                let extra: Vec<&str> = extra.split_whitespace().collect();
                for pair in extra.chunks(2) {
                    let at = flags.iter().position(|f| *f == pair[0]).expect("a flag given");
                    flags[at + 1] = pair[1];
                }
            }
            let output = explore(&flags, &[]);
            assert_eq!(output.status.code(), Some(1), "each shard finds `settled`: {output:?}");
            out
        })
        .collect()
}

#[rstest]
#[case::overlapping_shards("", &[0, 0, 1, 2], None, "shard 0/3 is given twice (overlapping shards)")]
#[case::a_missing_shard("", &[0, 1], None, "missing shards: 2/3")]
#[case::another_exploration("--shrink-runs 1", &[0, 1, 2], None, "has command `jostle explore --balancer round_robin_dialer --shrink-runs 1`")]
#[case::another_seed_range("--seeds 0..6", &[0, 1, 2], None, "is part of seeds 0..6, another of seeds 0..3")]
#[case::another_count("--shard 1/2", &[0, 1, 2], None, "shard 1/2 is one of 2, another one of 3")]
#[case::out_is_a_shard("", &[0, 1, 2], Some(1), "is (or holds, or lies in) the shard folder")]
fn a_merge_of_shards_that_are_not_one_exploration_writes_nothing_and_exits_2(
    #[case] extra: &str,
    #[case] given: &[usize],
    #[case] out_is: Option<usize>,
    #[case] says: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let shards = three_shards(dir.path(), extra);
    let out = match out_is {
        Some(index) => shards[index].clone(),
        None => dir.path().join("merged").display().to_string(),
    };
    let before = out_is.map(|index| tree(Path::new(&shards[index])));
    let json = dir.path().join("merged.json").display().to_string();
    let mut args = vec!["explore", "merge"];
    args.extend(given.iter().map(|&i| shards[i].as_str()));
    args.extend(["--out", &out, "--json", &json]);
    let output = jostle(&args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "shards that are not one exploration exit 2: {output:?}"
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains(says), "the error must say `{says}`, got {stderr}");
    assert!(!Path::new(&json).exists(), "nothing is written");
    match before {
        Some(before) => {
            assert_eq!(tree(Path::new(&out)), before, "the shard's folder is untouched")
        }
        None => assert!(!Path::new(&out).exists(), "nothing is written"),
    }
}

#[rstest]
#[case::cut_short("\"schedules\": 1", "\"schedules\": 0", "ran seeds 0..0 of its part 0..1")]
#[case::a_balancer_that_names_a_path(
    "\"balancer\": \"round_robin_dialer\"",
    "\"balancer\": \"../x\"",
    "balancer `../x` is not a built-in balancer's name"
)]
#[case::a_seed_outside_its_part(
    "\"settled\": [\n      0\n    ]",
    "\"settled\": [\n      7\n    ]",
    "the seeds of `settled` are not in seed order within 0..1"
)]
#[case::not_json("{", "{,", "shard.json:1:2: key must be a string")]
fn a_merge_refuses_a_shard_summary_that_does_not_hold_and_exits_2(
    #[case] from: &str,
    #[case] to: &str,
    #[case] says: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let shards = three_shards(dir.path(), "");
    let summary = Path::new(&shards[0]).join("shard.json");
    let text_before = std::fs::read_to_string(&summary).unwrap();
    assert!(text_before.contains(from), "{text_before}");
    std::fs::write(&summary, text_before.replacen(from, to, 1)).unwrap();
    let out = dir.path().join("merged").display().to_string();
    let output = jostle(&["explore", "merge", &shards[0], &shards[1], &shards[2], "--out", &out]);
    assert_eq!(output.status.code(), Some(2), "a summary that does not hold exits 2: {output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(says), "the error must say `{says}`, got {stderr}");
    assert!(!Path::new(&out).exists(), "nothing is written");
}

#[test]
fn an_indexed_jobs_variables_give_the_shard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found").display().to_string();
    let flags = [
        "--balancer",
        "round_robin_dialer",
        "--shrink-runs",
        "0",
        "--seeds",
        "0..3",
        "--out",
        &out,
    ];
    let output = explore(&flags, &[("JOB_COMPLETION_INDEX", "1"), ("JOB_COMPLETIONS", "3")]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stdout = text(&output.stdout);
    assert!(
        stdout
            .starts_with("explored 1 schedules against round_robin_dialer (seeds 1..2, shard 1/3)"),
        "{stdout}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(Path::new(&out).join("shard.json")).unwrap())
            .unwrap();
    assert_eq!(summary["shard"], serde_json::json!({"index": 1, "count": 3}));
    assert_eq!(summary["range"], serde_json::json!({"start": 0, "end": 3}));
}

#[rstest]
#[case::flag_and_variables_disagree(&["--shard", "0/3"], &[("JOB_COMPLETION_INDEX", "1"), ("JOB_COMPLETIONS", "3")], "--shard 0/3 and JOB_COMPLETION_INDEX/JOB_COMPLETIONS 1/3 disagree")]
#[case::an_index_without_completions(&[], &[("JOB_COMPLETION_INDEX", "1")], "JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not")]
#[case::an_index_past_the_completions(&[], &[("JOB_COMPLETION_INDEX", "3"), ("JOB_COMPLETIONS", "3")], "JOB_COMPLETION_INDEX=3, JOB_COMPLETIONS=3: invalid shard")]
#[case::a_shard_past_the_count(&["--shard", "3/3"], &[], "--shard: invalid shard: I/N with N from 1 to 100000")]
#[case::not_a_shard(&["--shard", "1"], &[], "--shard: invalid shard: I/N, part I (from 0) of N")]
#[case::more_shards_than_seeds(&["--shard", "2/5"], &[], "at most as many shards as seeds: 0..3 has 3")]
fn a_shard_that_does_not_hold_is_refused_before_any_work_and_exits_2(
    #[case] flags: &[&str],
    #[case] env: &[(&str, &str)],
    #[case] says: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found").display().to_string();
    let mut all = vec!["--seeds", "0..3", "--out", &out];
    all.extend_from_slice(flags);
    let output = explore(&all, env);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(says), "the error must say `{says}`, got {stderr}");
    assert!(!Path::new(&out).exists(), "nothing is written");
}
