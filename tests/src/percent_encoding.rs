//! Percent-encoding of the IDs, aliases, tokens and filters the harness puts in a URL by hand.

/// Percent-encodes every byte but RFC 3986's unreserved characters (ASCII letters, digits and
/// `-_.~`), so that the result stands as one path segment or one query value: the `!`, `#`,
/// `@` and `:` of Matrix IDs, and the `/` of some tokens, come out encoded.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::percent_encode;

    #[test]
    fn matrix_ids_and_query_values_become_one_url_part() {
        assert_eq!(percent_encode("!room:a.test"), "%21room%3Aa.test");
        assert_eq!(
            percent_encode("#plan.sec:127.0.0.1:8448"),
            "%23plan.sec%3A127.0.0.1%3A8448"
        );
        assert_eq!(percent_encode("s1_2~3/4 5"), "s1_2~3%2F4%205");
        assert_eq!(percent_encode("è"), "%C3%A8");
    }
}
