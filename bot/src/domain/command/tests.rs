//! Command parsing: names and aliases, arguments, leftovers refused, help texts complete.

use super::help::Help;
use super::ping::Ping;
use super::unknown::Unknown;
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
        let reached = match parse(&format!("!{}", spec.name)) {
            Some(Ok(Command::Unknown(_))) | None => false,
            Some(Ok(_)) => true,
            Some(Err(
                ParseError::Missing { spec: s }
                | ParseError::Invalid { spec: s, .. }
                | ParseError::TooManyArguments { spec: s },
            )) => s.name == spec.name,
        };
        assert!(reached, "!{} does not reach its command", spec.name);
    }
}

#[test]
fn participation_commands_parse_their_arguments() {
    use super::merge::Merge;
    use super::propose::Propose;
    use super::vote::VoteCommand;
    use crate::domain::participation::Stance;
    assert_eq!(
        parse("!propose Open data portal\nPublish every dataset.\nWith APIs."),
        Some(Ok(Command::Propose(Propose {
            title: "Open data portal".into(),
            description: "Publish every dataset.\nWith APIs.".into(),
        })))
    );
    assert_eq!(
        parse("!propose"),
        Some(Err(ParseError::Missing {
            spec: &propose::SPEC
        }))
    );
    assert_eq!(
        parse("!vote #3 +"),
        Some(Ok(Command::Vote(VoteCommand {
            number: 3,
            stance: Stance::Support
        })))
    );
    assert_eq!(
        parse("!vote 3 👎"),
        Some(Ok(Command::Vote(VoteCommand {
            number: 3,
            stance: Stance::Oppose
        })))
    );
    assert_eq!(
        parse("!vote x +"),
        Some(Err(ParseError::Invalid {
            spec: &vote::SPEC,
            given: "x".into()
        }))
    );
    assert_eq!(
        parse("!vote 3 maybe"),
        Some(Err(ParseError::Invalid {
            spec: &vote::SPEC,
            given: "maybe".into()
        }))
    );
    assert_eq!(
        parse("!vote 0 +"),
        Some(Err(ParseError::Invalid {
            spec: &vote::SPEC,
            given: "0".into()
        }))
    );
    assert_eq!(
        parse("!merge 2 into 5"),
        Some(Ok(Command::Merge(Merge { number: 2, into: 5 })))
    );
    assert_eq!(
        parse("!merge 2 onto 5"),
        Some(Err(ParseError::Invalid {
            spec: &merge::SPEC,
            given: "onto".into()
        }))
    );
    assert!(matches!(
        parse("!reject 4"),
        Some(Err(ParseError::Missing { .. }))
    ));
    assert!(matches!(
        parse("!phase voting"),
        Some(Err(ParseError::Invalid { .. }))
    ));
    assert!(matches!(
        parse("!phase prioritizzazione all"),
        Some(Ok(Command::Phase(_)))
    ));
    assert!(matches!(
        parse("!proposals new 2"),
        Some(Ok(Command::Proposals(_)))
    ));
    assert!(matches!(
        parse("!proposals new 2 3"),
        Some(Err(ParseError::TooManyArguments { .. }))
    ));
}
