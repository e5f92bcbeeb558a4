//! [`Expectations`]: the checks a scenario asks for, each a [`Rule`] with its thresholds, and
//! what the story expects of them.

use super::error::ScenarioError;
use super::expected::Expected;
use crate::expect::{Accounting, Calls, Counters, ExpectLines, Judged, Rule};
use std::sync::Arc;

/// The checks a scenario asks for, with their thresholds, in report order: `accounting`
/// always, every other one as `[expect]` asks. Read one with [`Expectations::get`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Expectations {
    /// Whether the story expects every check to hold, or shows a flaw that makes some fail.
    pub outcome: Expected,
    /// With [`Expected::Fail`]: the checks that must fail, by name, and only those (`[expect]
    /// fails`); empty otherwise.
    pub fails: Vec<&'static str>,
    /// The rules, in report order.
    rules: Vec<Arc<dyn Rule>>,
}

impl Default for Expectations {
    /// `accounting` only, expected to pass.
    fn default() -> Self {
        Self { outcome: Expected::Pass, fails: Vec::new(), rules: vec![Arc::new(Accounting)] }
    }
}

impl PartialEq for Expectations {
    fn eq(&self, other: &Self) -> bool {
        self.outcome == other.outcome
            && self.fails == other.fails
            && self.rules.len() == other.rules.len()
            && self.rules.iter().zip(&other.rules).all(|(a, b)| a.same(&**b as &dyn std::any::Any))
    }
}

impl Expectations {
    /// Expectations of `rules` (in report order), expected to pass.
    pub(crate) fn of(rules: Vec<Arc<dyn Rule>>) -> Self {
        Self { rules, ..Self::default() }
    }

    /// The checks a run of these expectations makes, by name, in report order (`accounting`
    /// always).
    pub fn checks(&self) -> Vec<&'static str> {
        self.rules.iter().map(|rule| rule.name()).collect()
    }

    /// Whether these expectations ask for the check `name`.
    pub fn asks(&self, name: &str) -> bool {
        self.rules.iter().any(|rule| rule.name() == name)
    }

    /// The rule of type `R`, if asked for: `get::<SettledExpectation>()`.
    pub fn get<R: Rule>(&self) -> Option<&R> {
        self.rules.iter().find_map(|rule| (&**rule as &dyn std::any::Any).downcast_ref::<R>())
    }

    /// Every rule, in report order.
    pub fn rules(&self) -> impl Iterator<Item = &dyn Rule> {
        self.rules.iter().map(|rule| &**rule)
    }

    /// The same expectations with `rule` in place of the rule of its type (`None`: without
    /// it), at its place in report order.
    pub(crate) fn set<R: Rule>(&mut self, rule: Option<R>) {
        let at = self.rules.iter().position(|old| (&**old as &dyn std::any::Any).is::<R>());
        if let Some(at) = at {
            self.rules.remove(at);
        }
        let Some(rule) = rule else { return };
        let order = |name: &str| crate::expect::CHECKS.iter().position(|check| *check == name);
        let place = order(rule.name());
        let at = self.rules.iter().position(|old| order(old.name()) > place);
        self.rules.insert(at.unwrap_or(self.rules.len()), Arc::new(rule));
    }

    /// Every rule's verdicts over `calls`, in report order.
    pub fn judge(&self, calls: &Calls<'_>) -> Vec<(&'static str, Judged)> {
        self.rules
            .iter()
            .flat_map(|rule| rule.judge(calls).into_iter().map(|judged| (rule.name(), judged)))
            .collect()
    }

    /// Every rule's verdicts over the backends' counters, in report order.
    pub fn judge_counters(&self, counters: &dyn Counters) -> Vec<(&'static str, Judged)> {
        self.rules
            .iter()
            .flat_map(|rule| {
                rule.judge_counters(counters).into_iter().map(|judged| (rule.name(), judged))
            })
            .collect()
    }

    /// The `[expect]` section these expectations are read from: the outcome, then each
    /// rule's lines.
    ///
    /// # Errors
    ///
    /// A rule built in Rust holds a value no file can ([`ScenarioError::Unwritable`]: a
    /// duration finer than a millisecond, an empty list of bounds): the file would judge a
    /// run otherwise.
    pub fn toml(&self) -> Result<String, ScenarioError> {
        let mut text = ExpectLines::new("[expect]\n");
        if self.outcome == Expected::Fail {
            let names: Vec<String> = self.fails.iter().map(|name| format!("\"{name}\"")).collect();
            text.push_str(&format!("outcome = \"fail\"\nfails = [{}]\n", names.join(", ")));
        }
        for rule in &self.rules {
            rule.append_to(&mut text);
        }
        text.into_string()
    }

    /// Whether a run whose failed checks are `failed` (by name) is what the story expects:
    /// for [`Expected::Pass`] none failed; for [`Expected::Fail`] exactly the checks named in
    /// `fails` failed (each of them, at least once, and no other).
    ///
    /// ```
    /// # let story = jostle_harness::scenario::load("../fixtures/article-restart.toml")?;
    /// let expect = story.expect();
    /// assert_eq!(expect.fails, ["share"]);
    /// assert!(expect.is_met_by(&["share"]), "the flaw the story shows");
    /// assert!(!expect.is_met_by(&[]), "every check held: the flaw is gone");
    /// assert!(!expect.is_met_by(&["share", "leak-free"]), "another check failed too");
    /// assert!(!expect.is_met_by(&["failure-rate"]), "another flaw than the story's");
    /// # Ok::<(), jostle_harness::scenario::ScenarioError>(())
    /// ```
    pub fn is_met_by(&self, failed: &[&str]) -> bool {
        match self.outcome {
            Expected::Pass => failed.is_empty(),
            Expected::Fail => {
                let mut failed: Vec<&str> = failed.to_vec();
                failed.sort_unstable();
                failed.dedup();
                let mut named = self.fails.clone();
                named.sort_unstable();
                !failed.is_empty() && failed == named
            }
        }
    }
}
