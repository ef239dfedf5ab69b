//! A log record, the stored form of a run of history, and its compact binary encoding.
//!
//! Votes and comments are most of any history, so they get a hand-written form (about a third
//! of their JSON size, and several times faster to read back); every other change is kept as
//! JSON inside the record, where its rarity makes size irrelevant.
//!
//! Record: `[level u8][fingerprint count u32][fingerprints u64…][change count u32][change…]`,
//! integers big-endian; a change is a tag byte and its fields; strings are a `u32` length
//! and UTF-8 bytes.

use super::participation::{BallotRecord, CommentRecord, StanceRecord};
use super::{from_json, to_json, ChangeRecord};

const JSON: u8 = 0;
const BALLOTS: u8 = 1;
const COMMENT: u8 = 2;

/// A log record as stored: a run of history.
#[derive(Debug, PartialEq)]
pub struct LogRecord {
    pub level: u8,
    /// Fingerprints of the events applied, in records written before schema version 4;
    /// since then they are keys of their own and this is empty (its count, 0, keeps one
    /// encoding for old records and new).
    pub applied: Vec<u64>,
    pub changes: Vec<ChangeRecord>,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(String);

impl CodecError {
    pub fn new(reason: impl Into<String>) -> CodecError {
        CodecError(reason.into())
    }
}

impl LogRecord {
    pub fn encode(&self) -> Result<Vec<u8>, CodecError> {
        let mut out = Writer(Vec::with_capacity(
            10 + self.applied.len() * 8 + self.changes.len() * 48,
        ));
        out.0.push(self.level);
        out.len(self.applied.len())?;
        for fingerprint in &self.applied {
            out.0.extend_from_slice(&fingerprint.to_be_bytes());
        }
        out.len(self.changes.len())?;
        for change in &self.changes {
            out.change(change)?;
        }
        Ok(out.0)
    }

    pub fn decode(bytes: &[u8]) -> Result<LogRecord, CodecError> {
        let (level, applied, mut input) = Self::head(bytes)?;
        let count = input.len()?;
        let mut changes = Vec::with_capacity(count.min(input.0.len()));
        for _ in 0..count {
            changes.push(input.change()?);
        }
        if !input.0.is_empty() {
            return Err(CodecError("bytes after the last change".into()));
        }
        Ok(LogRecord {
            level,
            applied,
            changes,
        })
    }

    /// The level and fingerprints alone, without reading the changes.
    pub fn decode_head(bytes: &[u8]) -> Result<(u8, Vec<u64>), CodecError> {
        let (level, applied, _) = Self::head(bytes)?;
        Ok((level, applied))
    }

    fn head(bytes: &[u8]) -> Result<(u8, Vec<u64>, Reader<'_>), CodecError> {
        let mut input = Reader(bytes);
        let level = input.take(1)?[0];
        let count = input.len()?;
        let packed = input.take(count.checked_mul(8).ok_or_else(too_long)?)?;
        let applied = packed
            .chunks_exact(8)
            .map(|chunk| u64::from_be_bytes(chunk.try_into().unwrap_or_default()))
            .collect();
        Ok((level, applied, input))
    }
}

fn too_long() -> CodecError {
    CodecError("length out of range".into())
}

struct Writer(Vec<u8>);

impl Writer {
    fn len(&mut self, len: usize) -> Result<(), CodecError> {
        let len = u32::try_from(len).map_err(|_| too_long())?;
        self.0.extend_from_slice(&len.to_be_bytes());
        Ok(())
    }

    fn str(&mut self, text: &str) -> Result<(), CodecError> {
        self.len(text.len())?;
        self.0.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn change(&mut self, change: &ChangeRecord) -> Result<(), CodecError> {
        match change {
            ChangeRecord::Ballots {
                number,
                user,
                organisation,
                ballots,
            } => {
                self.0.push(BALLOTS);
                self.0.extend_from_slice(&number.to_be_bytes());
                self.str(user)?;
                self.str(organisation)?;
                self.len(ballots.len())?;
                for ballot in ballots {
                    self.0.push(match ballot.stance {
                        None => 0,
                        Some(StanceRecord::Support) => 1,
                        Some(StanceRecord::Oppose) => 2,
                    });
                    self.0.extend_from_slice(&ballot.source.to_be_bytes());
                }
            }
            ChangeRecord::Comment(comment) if !comment.redacted => {
                self.0.push(COMMENT);
                self.str(&comment.event_id)?;
                self.str(&comment.section)?;
                self.0
                    .extend_from_slice(&comment.proposal.map_or(0, |n| n + 1).to_be_bytes());
                self.str(&comment.author)?;
                self.str(&comment.organisation)?;
                self.str(&comment.text)?;
                self.0.extend_from_slice(&comment.at_ms.to_be_bytes());
            }
            other => {
                self.0.push(JSON);
                let json = to_json(other).map_err(|e| CodecError(e.to_string()))?;
                self.len(json.len())?;
                self.0.extend_from_slice(&json);
            }
        }
        Ok(())
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let (taken, rest) = self
            .0
            .split_at_checked(n)
            .ok_or_else(|| CodecError("record ends early".into()))?;
        self.0 = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        Ok(self.take(N)?.try_into().unwrap_or([0; N]))
    }

    fn len(&mut self) -> Result<usize, CodecError> {
        Ok(u32::from_be_bytes(self.array()?) as usize)
    }

    fn string(&mut self) -> Result<String, CodecError> {
        let len = self.len()?;
        String::from_utf8(self.take(len)?.to_vec()).map_err(|e| CodecError(e.to_string()))
    }

    fn change(&mut self) -> Result<ChangeRecord, CodecError> {
        match self.take(1)?[0] {
            BALLOTS => {
                let number = u32::from_be_bytes(self.array()?);
                let user = self.string()?;
                let organisation = self.string()?;
                let count = self.len()?;
                let mut ballots = Vec::with_capacity(count.min(self.0.len()));
                for _ in 0..count {
                    let stance = match self.take(1)?[0] {
                        0 => None,
                        1 => Some(StanceRecord::Support),
                        2 => Some(StanceRecord::Oppose),
                        other => return Err(CodecError(format!("unknown stance {other}"))),
                    };
                    let source = u64::from_be_bytes(self.array()?);
                    ballots.push(BallotRecord { stance, source });
                }
                Ok(ChangeRecord::Ballots {
                    number,
                    user,
                    organisation,
                    ballots,
                })
            }
            COMMENT => Ok(ChangeRecord::Comment(CommentRecord {
                event_id: self.string()?,
                section: self.string()?,
                proposal: u32::from_be_bytes(self.array()?).checked_sub(1),
                author: self.string()?,
                organisation: self.string()?,
                text: self.string()?,
                at_ms: i64::from_be_bytes(self.array()?),
                redacted: false,
            })),
            JSON => {
                let len = self.len()?;
                from_json(self.take(len)?).map_err(|e| CodecError(e.to_string()))
            }
            other => Err(CodecError(format!("unknown change tag {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Ballot, Change, Comment, Phase, PowerLevels, Stance};

    fn records(changes: Vec<Change>) -> Vec<ChangeRecord> {
        changes.into_iter().map(ChangeRecord::from).collect()
    }

    #[test]
    fn every_kind_of_change_reads_back_as_written() {
        let record = LogRecord {
            level: 3,
            applied: vec![0, 42, u64::MAX],
            changes: records(vec![
                Change::Ballots {
                    number: 7,
                    user: "@àèé:hs".into(),
                    organisation: "Comune di Forlì".into(),
                    ballots: vec![
                        Ballot {
                            stance: Some(Stance::Support),
                            source: 1,
                        },
                        Ballot {
                            stance: Some(Stance::Oppose),
                            source: 2,
                        },
                        Ballot {
                            stance: None,
                            source: u64::MAX,
                        },
                    ],
                },
                Change::Comment(Comment {
                    event_id: "$c".into(),
                    section: "dati".into(),
                    proposal: Some(0),
                    author: "@a:hs".into(),
                    organisation: "Ente".into(),
                    text: "riga 1\nriga 2 ✓".into(),
                    at_ms: -5,
                    redacted: false,
                }),
                Change::Comment(Comment {
                    event_id: "$gone".into(),
                    section: "dati".into(),
                    proposal: Some(3),
                    author: "@a:hs".into(),
                    organisation: "Ente".into(),
                    text: String::new(),
                    at_ms: 7,
                    redacted: true,
                }),
                Change::Comment(Comment {
                    event_id: "$d".into(),
                    section: "dati".into(),
                    proposal: None,
                    author: "@a:hs".into(),
                    organisation: String::new(),
                    text: String::new(),
                    at_ms: i64::MAX,
                    redacted: false,
                }),
                Change::Phase {
                    section: "dati".into(),
                    phase: Phase::Prioritisation,
                },
                Change::PowerLevels {
                    room_id: "!r:hs".into(),
                    levels: PowerLevels {
                        users: [("@m:hs".to_owned(), 50)].into(),
                        users_default: 0,
                    },
                },
            ]),
        };
        let bytes = record.encode().unwrap();
        assert_eq!(LogRecord::decode(&bytes).unwrap(), record);
        assert_eq!(
            LogRecord::decode_head(&bytes).unwrap(),
            (3, vec![0, 42, u64::MAX])
        );
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let record = LogRecord {
            level: 0,
            applied: vec![9],
            changes: records(vec![Change::Ballots {
                number: 1,
                user: "@u:hs".into(),
                organisation: "Ente".into(),
                ballots: vec![Ballot {
                    stance: Some(Stance::Support),
                    source: 3,
                }],
            }]),
        };
        let bytes = record.encode().unwrap();
        for cut in 0..bytes.len() {
            assert!(LogRecord::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(LogRecord::decode(&extra).is_err());
        let mut bad_tag = bytes;
        bad_tag[1 + 4 + 8 + 4] = 99;
        assert!(LogRecord::decode(&bad_tag).is_err());
    }
}
