//! A command's static description: name, who may use it, and its help texts.

use crate::domain::i18n::Msg;
use crate::domain::Role;

/// Static description of a command: name, who may use it, and its help texts (catalogue keys).
#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    pub moderator_only: bool,
    pub usage: Msg,
    pub summary: Msg,
    pub help: Msg,
}

impl Spec {
    pub fn available_to(&self, role: Role) -> bool {
        !self.moderator_only || role == Role::Moderator
    }
}

impl PartialEq for Spec {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Spec {}
