//! An applied run, the stored form of the events a log record's commits applied: their 64-bit
//! fingerprints, sorted, as 8-byte big-endian integers one after the other. Sorted so that a
//! lookup is a binary search of the stored bytes, with nothing decoded.

use super::log::CodecError;

const WIDTH: usize = 8;

/// The bytes of a run of `fingerprints`, sorted and each once.
pub fn encode(mut fingerprints: Vec<u64>) -> Vec<u8> {
    fingerprints.sort_unstable();
    fingerprints.dedup();
    fingerprints.iter().flat_map(|f| f.to_be_bytes()).collect()
}

/// The fingerprints of a run, checked to be in order: a lookup in a run out of order could
/// miss one.
pub fn decode(bytes: &[u8]) -> Result<Vec<u64>, CodecError> {
    check(bytes)?;
    let fingerprints: Vec<u64> = bytes.chunks_exact(WIDTH).map(read).collect();
    if fingerprints.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(CodecError::new("an applied run is out of order"));
    }
    Ok(fingerprints)
}

/// Whether the run `bytes` holds `fingerprint`.
pub fn contains(bytes: &[u8], fingerprint: u64) -> Result<bool, CodecError> {
    check(bytes)?;
    let (mut low, mut high) = (0, bytes.len() / WIDTH);
    while low < high {
        let middle = low + (high - low) / 2;
        let at = read(&bytes[middle * WIDTH..(middle + 1) * WIDTH]);
        match at.cmp(&fingerprint) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return Ok(true),
        }
    }
    Ok(false)
}

fn check(bytes: &[u8]) -> Result<(), CodecError> {
    if bytes.len().is_multiple_of(WIDTH) {
        Ok(())
    } else {
        Err(CodecError::new("an applied run is not whole fingerprints"))
    }
}

fn read(chunk: &[u8]) -> u64 {
    u64::from_be_bytes(chunk.try_into().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_sorted_once_and_found_by_search() {
        let bytes = encode(vec![42, 7, u64::MAX, 0, 42]);
        assert_eq!(decode(&bytes).unwrap(), [0, 7, 42, u64::MAX]);
        for present in [0, 7, 42, u64::MAX] {
            assert!(contains(&bytes, present).unwrap(), "{present}");
        }
        for absent in [1, 8, 43, u64::MAX - 1] {
            assert!(!contains(&bytes, absent).unwrap(), "{absent}");
        }
        assert!(!contains(&encode(Vec::new()), 0).unwrap());
    }

    #[test]
    fn a_run_cut_short_or_out_of_order_is_an_error() {
        let bytes = encode(vec![1, 2]);
        assert!(decode(&bytes[..9]).is_err());
        assert!(contains(&bytes[..9], 1).is_err());
        let swapped = [&bytes[8..], &bytes[..8]].concat();
        assert!(decode(&swapped).is_err());
    }
}
