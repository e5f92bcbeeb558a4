//! The fault kinds come from one type, [`Kind`]: each is documented in docs/SCENARIOS.md and
//! accepted by the parser, with no second list to keep in step.

use jostle_harness::fault::Kind;
use jostle_harness::scenario;

const SCENARIOS_MD: &str = include_str!("../../../docs/SCENARIOS.md");

/// A value for each parameter that some kind needs at least; a kind takes those it lists.
const MINIMAL: [(&str, &str); 7] = [
    ("down_for", "\"1s\""),
    ("period", "\"2s\""),
    ("delay", "\"10ms\""),
    ("code", "\"Unavailable\""),
    ("probability", "0.5"),
    ("max_rpcs", "5"),
    ("after_messages", "1"),
];

fn with_fault(kind: Kind) -> String {
    let parameters: String = MINIMAL
        .iter()
        .filter(|(name, _)| kind.parameters().contains(name))
        .map(|(name, value)| format!("{name} = {value}\n"))
        .collect();
    format!(
        "name = \"one fault\"\n[cluster]\nbackends = 2\n[balancer]\npolicy = \"round_robin\"\n\
         [load]\nconcurrency = 1\ncalls = 1\n[[fault]]\ntarget = [1]\nkind = \"{}\"\n{parameters}",
        kind.name()
    )
}

#[test]
fn every_fault_kind_is_documented_in_the_scenario_format() {
    for kind in Kind::ALL {
        assert!(
            SCENARIOS_MD.contains(&format!("`{}`", kind.name())),
            "docs/SCENARIOS.md must document fault kind `{kind}`"
        );
        for parameter in kind.parameters() {
            assert!(
                SCENARIOS_MD.contains(&format!("`{parameter}`")),
                "docs/SCENARIOS.md must document `{parameter}` of fault kind `{kind}`"
            );
        }
    }
}

#[test]
fn every_fault_kind_is_accepted_by_the_parser_under_its_own_name() {
    for kind in Kind::ALL {
        let text = with_fault(kind);
        let parsed = scenario::parse(&text, "kind.toml")
            .unwrap_or_else(|error| panic!("fault kind `{kind}` must parse: {error}\n{text}"));
        let fault = &parsed.injections()[0].fault;
        assert_eq!(fault.kind(), kind, "`kind = \"{kind}\"` must give a {kind} fault");
        assert_eq!(Kind::from_name(kind.name()), Some(kind), "the name leads back to the kind");
    }
}
