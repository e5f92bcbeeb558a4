//! `jostle serve --seed-from NAME`: each pod of a Deployment seeded apart. Every replica starts
//! with the same arguments, so a plain `--seed` gives every pod the same draws; with the pod's
//! own name (Kubernetes' `metadata.name`, through the downward API) the seed is
//! FNV-1a 64 over the given seed's 8 little-endian bytes, then the name's UTF-8 bytes: stable
//! across machines and versions, different per pod, printed so that one pod's draws replay
//! with `--seed`.

/// The longest name taken (a Kubernetes object name's limit).
pub(crate) const MAX_NAME: usize = 253;

/// The seed of the pod `name` from the seed given.
pub(crate) fn seed_for(seed: u64, name: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    seed.to_le_bytes()
        .iter()
        .chain(name.as_bytes())
        .fold(OFFSET, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

/// Checks a `--seed-from` name: 1 to [`MAX_NAME`] bytes, no control characters.
pub(crate) fn name(text: &str) -> Result<String, String> {
    if text.is_empty() || text.len() > MAX_NAME || text.chars().any(char::is_control) {
        return Err(format!(
            "`{}` is not a pod name; expected 1 to {MAX_NAME} characters, none a control \
             character (the pod's own name, e.g. `$(POD_NAME)` from metadata.name)",
            text.escape_debug()
        ));
    }
    Ok(text.to_owned())
}
