//! `!digest [daily|weekly|off] [sections…]`: a personal digest of what changed in the plan,
//! sent in the person's DM with the bot (which the bot opens when there is none yet).
//! Without arguments it says what the person is subscribed to.

use super::{Arguments, Ctx, Outcome, ParseError, Home, Spec};
use crate::domain::digest::{Period, Subscription};
use crate::domain::i18n::{Msg, Rendered};
use crate::domain::tracking::sections;
use crate::domain::Change;

pub const SPEC: Spec = Spec {
    name: "digest",
    moderator_only: false,
    home: Home::Anywhere,
    usage: Msg::CmdDigestUsage,
    summary: Msg::CmdDigestSummary,
    help: Msg::CmdDigestHelp,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    Show,
    Off,
    /// A period and the section IDs (or titles) as typed; empty for all sections.
    Subscribe(Period, Vec<String>),
}

impl Digest {
    pub fn parse(mut args: Arguments<'_>) -> Result<Digest, ParseError> {
        let period = match args.next().map(str::to_lowercase).as_deref() {
            None => return Ok(Digest::Show),
            Some("daily" | "day" | "quotidiano" | "giornaliero") => Period::Daily,
            Some("weekly" | "week" | "settimanale") => Period::Weekly,
            Some("off" | "stop" | "no" | "basta") => {
                args.finish(&SPEC)?;
                return Ok(Digest::Off);
            }
            Some(other) => {
                return Err(ParseError::Invalid {
                    spec: &SPEC,
                    given: other.to_owned(),
                })
            }
        };
        let mut words = Vec::new();
        for word in args.by_ref() {
            words.push(word.trim_matches(',').to_owned());
        }
        words.retain(|w| !w.is_empty());
        Ok(Digest::Subscribe(period, words))
    }

    pub fn apply(self, ctx: &mut Ctx<'_>) -> Outcome {
        let user = ctx.message.sender.clone();
        let current = ctx.state.digests.subscriptions.get(&user);
        let (period, words) = match self {
            Digest::Show => {
                return Ok(match current {
                    None => ctx.catalogue.text(Msg::DigestNone),
                    Some(subscription) => describe(ctx, Msg::DigestCurrent, subscription),
                })
            }
            Digest::Off => {
                ctx.changes.push(Change::Digest {
                    user,
                    subscription: None,
                });
                return Ok(ctx.catalogue.text(Msg::DigestOff));
            }
            Digest::Subscribe(period, words) => (period, words),
        };
        let mut followed = Vec::new();
        for word in &words {
            let found = sections(ctx.settings).into_iter().find(|s| {
                s.id.eq_ignore_ascii_case(word) || s.title.eq_ignore_ascii_case(word)
            });
            match found {
                Some(section) if !followed.contains(&section.id) => {
                    followed.push(section.id.clone())
                }
                Some(_) => {}
                None => {
                    let known: Vec<String> = sections(ctx.settings)
                        .into_iter()
                        .map(|s| format!("`{}`", s.id))
                        .collect();
                    return Err(ctx.catalogue.render(
                        Msg::DigestNoSuchSection,
                        &[("given", word), ("sections", &known.join(", "))],
                    ));
                }
            }
        }
        let subscription = Subscription {
            period,
            sections: followed,
            // Changing the sections or the period keeps the digests' running start.
            since_ms: current.map_or(ctx.now_ms(), |s| s.since_ms),
        };
        let reply = describe(ctx, Msg::DigestSet, &subscription);
        ctx.changes.push(Change::Digest {
            user,
            subscription: Some(subscription),
        });
        Ok(reply)
    }
}

/// `msg` with the subscription's period and sections filled in.
fn describe(ctx: &Ctx<'_>, msg: Msg, subscription: &Subscription) -> Rendered {
    let names: Vec<String> = sections(ctx.settings)
        .into_iter()
        .filter(|s| subscription.sections.contains(&s.id))
        .map(|s| s.title.clone())
        .collect();
    let sections = if subscription.sections.is_empty() {
        ctx.catalogue.template(Msg::DigestAllSections).to_owned()
    } else {
        names.join(", ")
    };
    ctx.catalogue.render(
        msg,
        &[
            ("period", ctx.catalogue.template(subscription.period.msg())),
            ("sections", &sections),
        ],
    )
}
