//! `--profile NAME` of `jostle run` and `jostle explore`: whose client defaults a jostle policy
//! follows.

use jostle::balance::Profile;

/// A profile by name; the error lists the names.
pub(crate) fn parse(name: &str) -> Result<Profile, String> {
    Profile::by_name(name).ok_or_else(|| {
        let names: Vec<String> = Profile::NAMES.iter().map(|name| format!("`{name}`")).collect();
        format!("unknown profile `{name}`; expected one of {}", names.join(" or "))
    })
}
