//! The macro that turns the one command table into the `Command` enum, the `!help` list
//! ([`SPECS`](super::SPECS)), the parse dispatch by name and the apply dispatch: adding a
//! command is one line in the table, so these cannot drift apart.

/// `Variant(file::Type): "name" | "alias" …;` per command. Each `file.rs` has a `SPEC`, a
/// `Type::parse(Arguments) -> Result<Type, ParseError>` and a `Type::apply(&mut Ctx) -> Outcome`.
macro_rules! commands {
    ($($variant:ident($module:ident::$ty:ident): $($name:literal)|+;)*) => {
        $(pub mod $module;)*

        /// A parsed command: one variant per command file, and the unknown `!word`.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Command {
            $($variant($module::$ty),)*
            Unknown(unknown::Unknown),
        }

        /// Every command, in the order `!help` lists them.
        pub const SPECS: &[&Spec] = &[$(&$module::SPEC),*];

        impl Command {
            /// The command called `name` (lower case), its arguments parsed from `words`.
            fn parse_named(name: &str, words: Arguments<'_>) -> Result<Command, ParseError> {
                match name {
                    $($($name)|+ => $module::$ty::parse(words).map(Command::$variant),)*
                    _ => Ok(Command::Unknown(unknown::Unknown {
                        name: name.to_owned(),
                    })),
                }
            }

            /// The description of the command called `name` (lower case) or by an alias.
            pub fn spec_named(name: &str) -> Option<&'static Spec> {
                match name {
                    $($($name)|+ => Some(&$module::SPEC),)*
                    _ => None,
                }
            }

            /// Its description; the unknown `!word` has none (anyone gets the pointer to help).
            pub fn spec(&self) -> Option<&'static Spec> {
                match self {
                    $(Command::$variant(_) => Some(&$module::SPEC),)*
                    Command::Unknown(_) => None,
                }
            }

            fn run(self, ctx: &mut Ctx<'_>) -> Outcome {
                match self {
                    $(Command::$variant(command) => command.apply(ctx),)*
                    Command::Unknown(command) => command.apply(ctx),
                }
            }
        }
    };
}

pub(crate) use commands;
