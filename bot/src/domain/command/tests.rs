use super::*;

fn parse(text: &str) -> Option<Result<Command, ParseError>> {
    Command::parse(text)
}

#[test]
fn non_commands_are_not_parsed() {
    for text in ["hello", "", "!", "  ", "! ping", "ping!", "!\n"] {
        assert_eq!(parse(text), None, "{text:?}");
    }
}

#[test]
fn commands_parse_case_insensitively_with_arguments() {
    assert_eq!(parse("!ping"), Some(Ok(Command::Ping(Ping))));
    assert_eq!(parse("  !PING  "), Some(Ok(Command::Ping(Ping))));
    assert_eq!(
        parse("!help"),
        Some(Ok(Command::Help(Help { topic: None })))
    );
    assert_eq!(
        parse("!help !Ping"),
        Some(Ok(Command::Help(Help {
            topic: Some("ping".into())
        })))
    );
    assert_eq!(
        parse("!frobnicate now"),
        Some(Ok(Command::Unknown(Unknown {
            name: "frobnicate".into()
        })))
    );
}

#[test]
fn leftover_arguments_are_refused() {
    assert_eq!(
        parse("!ping now"),
        Some(Err(ParseError::TooManyArguments { spec: &ping::SPEC }))
    );
    assert_eq!(
        parse("!help ping twice"),
        Some(Err(ParseError::TooManyArguments { spec: &help::SPEC }))
    );
}

#[test]
fn arguments_split_on_any_whitespace() {
    let words: Vec<_> = Arguments::new(" a\tb\n c  ").collect();
    assert_eq!(words, ["a", "b", "c"]);
}

#[test]
fn every_spec_is_reachable_by_parse() {
    for spec in SPECS {
        let parsed = parse(&format!("!{}", spec.name));
        assert!(
            matches!(parsed, Some(Ok(ref c)) if !matches!(c, Command::Unknown(_))),
            "!{} does not parse to its command",
            spec.name
        );
    }
}
