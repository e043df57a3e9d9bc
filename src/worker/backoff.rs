//! How long a failed attempt waits before the next one.

/// Exponential backoff: 2 s after the first failure, doubling, at most 10 minutes. Shared by
/// failed jobs and by mail the server refused, so both back off alike.
pub fn retry_delay_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 10) - 1;
    (2_i64 << exponent).min(600)
}

#[cfg(test)]
mod tests {
    use super::retry_delay_secs;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_delay_secs(1), 2);
        assert_eq!(retry_delay_secs(2), 4);
        assert_eq!(retry_delay_secs(5), 32);
        assert_eq!(retry_delay_secs(50), 600);
    }
}
