//! A `[[fault]]` entry's flat parameters, read for its kind into a [`Fault`].

use super::duration::Dur;
use super::error::{ScenarioError, Source};
use super::raw::RawFault;
use super::suggest::{did_you_mean, quoted};
use crate::fault::{Delay, Fault, Invalid, Kind, Phase, Trigger};
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;
use tonic::Code;

/// One entry's parameters, read for its kind.
pub(super) struct Parameters<'a> {
    entry: &'a RawFault,
    kind: Kind,
    source: &'a Source<'a>,
}

impl<'a> Parameters<'a> {
    pub(super) fn new(entry: &'a RawFault, kind: Kind, source: &'a Source<'a>) -> Self {
        Self { entry, kind, source }
    }

    /// The fault the entry describes, its parameters all taken and valid.
    pub(super) fn fault(&self) -> Result<Fault, ScenarioError> {
        let (name, takes) = (self.kind.name(), self.kind.parameters());
        for (parameter, span) in self.entry.parameters() {
            if !takes.contains(&parameter) {
                let takes = match takes {
                    [] => "no parameters".to_owned(),
                    some => format!("its parameters: {}", quoted(some)),
                };
                return Err(self.source.error(
                    span,
                    format!("fault `{name}` takes no parameter `{parameter}`"),
                    takes,
                ));
            }
        }
        let fault = self.build()?;
        fault.validate().map_err(|invalid| self.rejected(&invalid))?;
        Ok(fault)
    }

    fn build(&self) -> Result<Fault, ScenarioError> {
        let e = self.entry;
        Ok(match self.kind {
            Kind::Refuse => Fault::Refuse,
            Kind::Reset => Fault::Reset,
            Kind::Blackhole => Fault::Blackhole,
            Kind::BlackholeConnect => Fault::BlackholeConnect,
            Kind::Drain => Fault::Drain,
            Kind::Hang => Fault::Hang,
            Kind::ConnectDelay => Fault::ConnectDelay(self.required("delay", e.delay.as_ref())?),
            Kind::Restart => {
                Fault::Restart { down_for: self.required("down_for", e.down_for.as_ref())? }
            }
            Kind::Flap => Fault::Flap {
                period: self.required("period", e.period.as_ref())?,
                down_for: self.required("down_for", e.down_for.as_ref())?,
            },
            Kind::ConnectionAge => {
                if e.max_rpcs.is_none() && e.max_age.is_none() {
                    return Err(self.missing("`max_rpcs` or `max_age` (or both)"));
                }
                Fault::ConnectionAge {
                    max_rpcs: e
                        .max_rpcs
                        .as_ref()
                        .map(|n| self.count(n, "max_rpcs", 1))
                        .transpose()?,
                    max_age: e.max_age.as_ref().map(|age| age.get_ref().0),
                }
            }
            Kind::Delay => Fault::Delay { delay: self.delay()?, phase: self.phase()? },
            Kind::Status => Fault::Status {
                code: self.code()?,
                trigger: self.trigger()?,
                before_delay: e.before_delay.as_ref().is_some_and(|fast| *fast.get_ref()),
            },
            Kind::Terminate => Fault::Terminate {
                grace: e.grace.as_ref().map_or(crate::fault::TERMINATE_GRACE, |g| g.get_ref().0),
            },
            Kind::StreamBreak => {
                let Some(after) = &e.after_messages else {
                    return Err(self.missing("`after_messages`"));
                };
                let after = self.count(after, "after_messages", 0)?;
                Fault::StreamBreak {
                    after_messages: u32::try_from(after).map_err(|_| {
                        self.source.error(
                            e.after_messages.as_ref().map_or(0..0, Spanned::span),
                            format!("`after_messages` {after} is too large"),
                            format!("at most {}", u32::MAX),
                        )
                    })?,
                }
            }
        })
    }

    fn delay(&self) -> Result<Delay, ScenarioError> {
        let e = self.entry;
        match (&e.delay, &e.min, &e.max, &e.base, &e.jitter) {
            (Some(fixed), None, None, None, None) => Ok(Delay::Fixed(fixed.get_ref().0)),
            (None, Some(min), Some(max), None, None) => {
                Ok(Delay::Uniform { min: min.get_ref().0, max: max.get_ref().0 })
            }
            (None, None, None, Some(base), Some(jitter)) => {
                Ok(Delay::Jitter { base: base.get_ref().0, jitter: jitter.get_ref().0 })
            }
            _ => Err(self.source.error(
                self.entry.kind.span(),
                "fault `delay` needs exactly one way to draw the delay",
                "`delay` (fixed), or `min` and `max` (uniform), or `base` and `jitter`",
            )),
        }
    }

    fn phase(&self) -> Result<Phase, ScenarioError> {
        const PHASES: [&str; 2] = ["before-headers", "before-message"];
        match self.entry.phase.as_ref() {
            None => Ok(Phase::default()),
            Some(phase) => match phase.get_ref().as_str() {
                "before-headers" => Ok(Phase::BeforeHeaders),
                "before-message" => Ok(Phase::BeforeMessage),
                other => Err(self
                    .source
                    .error(
                        phase.span(),
                        format!("unknown phase `{other}`"),
                        format!("one of {}", quoted(&PHASES)),
                    )
                    .suggesting(did_you_mean(other, PHASES))),
            },
        }
    }

    fn code(&self) -> Result<Code, ScenarioError> {
        let Some(code) = &self.entry.code else {
            return Err(self.missing("`code`, a gRPC status code like \"Unavailable\""));
        };
        super::values::status_code(code, self.source)
    }

    fn trigger(&self) -> Result<Trigger, ScenarioError> {
        let e = self.entry;
        match (&e.probability, &e.next_calls) {
            (Some(p), None) => Ok(Trigger::Probability(*p.get_ref())),
            (None, Some(n)) => Ok(Trigger::NextCalls(self.count(n, "next_calls", 1)?)),
            (Some(_), Some(n)) => Err(self.source.error(
                n.span(),
                "fault `status` has both `probability` and `next_calls`",
                "one of them",
            )),
            (None, None) => Err(self.missing("`probability` or `next_calls`")),
        }
    }

    /// A whole number of at least `least`.
    fn count(&self, value: &Spanned<i64>, field: &str, least: u64) -> Result<u64, ScenarioError> {
        u64::try_from(*value.get_ref()).ok().filter(|n| *n >= least).ok_or_else(|| {
            self.source.error(
                value.span(),
                format!("`{field}` is {}", value.get_ref()),
                format!("a whole number of at least {least}"),
            )
        })
    }

    fn required(
        &self,
        field: &str,
        value: Option<&Spanned<Dur>>,
    ) -> Result<Duration, ScenarioError> {
        value
            .map(|value| value.get_ref().0)
            .ok_or_else(|| self.missing(&format!("`{field}`, a duration")))
    }

    fn missing(&self, what: &str) -> ScenarioError {
        let kind = self.kind;
        self.source.error(
            self.entry.kind.span(),
            format!("fault `{kind}` is missing a parameter"),
            what.to_owned(),
        )
    }

    /// [`Fault::validate`]'s error, at the parameter it names.
    fn rejected(&self, invalid: &Invalid) -> ScenarioError {
        let span: Range<usize> = self
            .entry
            .parameters()
            .into_iter()
            .find(|(name, _)| *name == invalid.parameter)
            .map_or_else(|| self.entry.kind.span(), |(_, span)| span);
        self.source.error(
            span,
            format!("`{}` is {}", invalid.parameter, invalid.got),
            invalid.expected.clone(),
        )
    }
}
