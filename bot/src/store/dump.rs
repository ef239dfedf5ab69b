//! A store's records as one stream of bytes, for backups and for the running bot's copy to
//! the command line: every key and value exactly as stored, so a store restored from it is the
//! same store.
//!
//! Layout: [`MAGIC`], then each record as its key's length (`u32`, big-endian), the key, its
//! value's length and the value; then the end mark (`u32::MAX`) and the number of records
//! (`u64`), so a copy cut short is told from a whole one.

use std::io::{self, Read, Write};

use super::StoreError;

const MAGIC: &[u8] = b"PSPM-STORE-DUMP 1\n";
const END: u32 = u32::MAX;

fn io_error(error: io::Error) -> StoreError {
    StoreError::Database(format!("cannot write the copy: {error}"))
}

fn bad(reason: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        key: "copy".into(),
        reason: reason.to_string(),
    }
}

/// Writes records one after the other.
pub struct DumpWriter<'a> {
    out: &'a mut dyn Write,
    records: u64,
}

impl<'a> DumpWriter<'a> {
    pub fn new(out: &'a mut dyn Write) -> Result<DumpWriter<'a>, StoreError> {
        out.write_all(MAGIC).map_err(io_error)?;
        Ok(DumpWriter { out, records: 0 })
    }

    pub fn record(&mut self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        for part in [key, value] {
            let len = u32::try_from(part.len())
                .ok()
                .filter(|&len| len != END)
                .ok_or_else(|| bad("a record larger than 4 GiB"))?;
            self.out.write_all(&len.to_be_bytes()).map_err(io_error)?;
            self.out.write_all(part).map_err(io_error)?;
        }
        self.records += 1;
        Ok(())
    }

    /// Writes the end mark; returns how many records were written.
    pub fn finish(self) -> Result<u64, StoreError> {
        self.out.write_all(&END.to_be_bytes()).map_err(io_error)?;
        self.out
            .write_all(&self.records.to_be_bytes())
            .map_err(io_error)?;
        self.out.flush().map_err(io_error)?;
        Ok(self.records)
    }
}

fn read_exact(input: &mut dyn Read, buffer: &mut [u8]) -> Result<(), StoreError> {
    input
        .read_exact(buffer)
        .map_err(|error| match error.kind() {
            io::ErrorKind::UnexpectedEof => bad("the copy is cut short"),
            _ => StoreError::Database(format!("cannot read the copy: {error}")),
        })
}

fn read_u32(input: &mut dyn Read) -> Result<u32, StoreError> {
    let mut bytes = [0; 4];
    read_exact(input, &mut bytes)?;
    Ok(u32::from_be_bytes(bytes))
}

/// Reads records into `each` until the end mark; returns how many. A stream cut short, or
/// one whose count disagrees, is an error (what `each` took must then be thrown away).
pub fn read_dump(
    input: &mut dyn Read,
    each: &mut dyn FnMut(Vec<u8>, Vec<u8>) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let mut magic = [0; MAGIC.len()];
    read_exact(input, &mut magic)?;
    if magic != MAGIC {
        return Err(bad("not a copy of a PSPM store"));
    }
    let mut records = 0u64;
    loop {
        let key_len = read_u32(input)?;
        if key_len == END {
            let mut count = [0; 8];
            read_exact(input, &mut count)?;
            let count = u64::from_be_bytes(count);
            if count != records {
                return Err(bad(format!(
                    "the copy says {count} records and holds {records}"
                )));
            }
            return Ok(records);
        }
        let mut key = vec![0; key_len as usize];
        read_exact(input, &mut key)?;
        let value_len = read_u32(input)?;
        // Read in steps, so a corrupt length cannot ask for gigabytes up front.
        let mut value = Vec::new();
        input
            .take(u64::from(value_len))
            .read_to_end(&mut value)
            .map_err(|error| StoreError::Database(format!("cannot read the copy: {error}")))?;
        if value.len() != value_len as usize {
            return Err(bad("the copy is cut short"));
        }
        each(key, value)?;
        records += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(records: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut writer = DumpWriter::new(&mut bytes).expect("in memory");
        for (key, value) in records {
            writer.record(key, value).expect("in memory");
        }
        assert_eq!(writer.finish().expect("in memory"), records.len() as u64);
        bytes
    }

    type Records = Vec<(Vec<u8>, Vec<u8>)>;

    fn read(bytes: &[u8]) -> Result<Records, StoreError> {
        let mut records = Vec::new();
        read_dump(&mut &bytes[..], &mut |key, value| {
            records.push((key, value));
            Ok(())
        })?;
        Ok(records)
    }

    #[test]
    fn records_come_back_as_written_and_a_cut_copy_is_refused() {
        let records: [(&[u8], &[u8]); 3] =
            [(b"m:a", b"1"), (b"l:\0\0", b""), (b"o:x", &[0xff; 300])];
        let bytes = dump(&records);
        let back = read(&bytes).expect("whole");
        assert_eq!(back.len(), 3);
        for ((key, value), (k, v)) in records.iter().zip(&back) {
            assert_eq!((*key, *value), (&k[..], &v[..]));
        }
        for cut in [bytes.len() - 1, bytes.len() - 12, 40, 5] {
            let error = read(&bytes[..cut]).expect_err("cut short");
            assert!(error.to_string().contains("cut short"), "{cut}: {error}");
        }
        let error = read(b"{\"not\": \"a dump\"} and more bytes").expect_err("not a dump");
        assert!(error.to_string().contains("not a copy"), "{error}");
    }
}
