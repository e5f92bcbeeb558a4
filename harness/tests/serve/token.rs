//! The control API's token: beyond loopback it is required, every call without it or with
//! another is refused UNAUTHENTICATED and serving goes on; a malformed token is bad input.

use super::process::{self, Served, jostle};

const TOKEN: &str = "a-test-token-of-32-characters-xy";

/// `jostle ctl` on 127.0.0.1 at the port of `served`'s control API, with `extra` flags first.
fn ctl_on_loopback(served: &Served, extra: &[&str], env: Option<&str>) -> std::process::Output {
    let port = served.control().rsplit_once(':').map(|(_, port)| port.to_owned()).unwrap();
    let control = format!("127.0.0.1:{port}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_jostle"));
    command.args(["ctl", "--control", &control]).args(extra).arg("list");
    command.env_remove(jostle_harness::control::TOKEN_ENV);
    if let Some(token) = env {
        command.env(jostle_harness::control::TOKEN_ENV, token);
    }
    command.output().expect("jostle ctl runs")
}

#[test]
fn a_control_api_beyond_loopback_answers_only_calls_carrying_its_token() {
    let mut served = Served::start_with(2, &["--control", "0.0.0.0:0", "--token", TOKEN]);
    assert!(
        served.control().starts_with("0.0.0.0:"),
        "it listens where it was told: {}",
        served.control()
    );

    let none = ctl_on_loopback(&served, &[], None);
    assert_eq!(none.status.code(), Some(1), "a call without the token is refused: {none:?}");
    let said = process::text(&none.stderr);
    assert!(said.contains("Unauthenticated") && said.contains("no token"), "{said}");

    let wrong = ctl_on_loopback(&served, &["--token", "another-token-of-enough-length"], None);
    assert_eq!(wrong.status.code(), Some(1), "a call with another token is refused: {wrong:?}");
    assert!(process::text(&wrong.stderr).contains("wrong token"), "{wrong:?}");

    // Serving went on: the right token, by flag or by environment, is answered.
    for (flags, env) in [(vec!["--token", TOKEN], None), (vec![], Some(TOKEN))] {
        let right = ctl_on_loopback(&served, &flags, env);
        assert_eq!(right.status.code(), Some(0), "the right token is answered: {right:?}");
        assert_eq!(process::lines(&right.stdout).len(), 2, "both backends listed: {right:?}");
    }
    let stopped = served.terminate();
    let stderr = process::text(&stopped.stderr);
    assert!(
        stderr.contains("beyond loopback requires a token"),
        "serve says at start that its control API needs a token: {stderr}"
    );
}

#[test]
fn a_control_address_beyond_loopback_without_a_token_is_refused_naming_the_flag() {
    let output = jostle(&["serve", "--control", "0.0.0.0:0", "--duration", "1s"]);
    assert_eq!(output.status.code(), Some(2), "bad input: {output:?}");
    assert!(process::text(&output.stderr).contains("needs --token"), "{output:?}");
    assert!(output.stdout.is_empty(), "nothing may be announced: {output:?}");
}

#[test]
fn a_token_too_short_or_with_a_space_is_bad_input_for_serve_and_ctl() {
    for token in ["short", "sixteen chars with spaces"] {
        let serve = jostle(&["serve", "--token", token, "--duration", "1s"]);
        assert_eq!(serve.status.code(), Some(2), "{token:?}: {serve:?}");
        let said = process::text(&serve.stderr);
        assert!(
            said.contains("--token: invalid token: 16 to 1024 visible ASCII characters"),
            "{said}"
        );
        let ctl = jostle(&["ctl", "--control", "127.0.0.1:1", "--token", token, "list"]);
        assert_eq!(ctl.status.code(), Some(2), "{token:?}: {ctl:?}");
    }
}
