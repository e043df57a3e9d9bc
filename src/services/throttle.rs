//! Request throttles kept in the database, so they count across every instance.
use crate::domain::{ConnectionId, Email};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{self, rate_limits, sign_in_failures};

const WINDOW_SECS: i64 = 60;
/// Failed sign-ins from one IP for one account before backoff starts.
const FREE_FAILURES: i64 = 5;
const MAX_LOCK_SECS: i64 = 15 * 60;

/// Counts an auth POST from `client_ip`; refuses it once the IP is over the per-minute limit.
///
/// The rate is a sliding-window estimate: this minute's count plus the previous minute's,
/// weighted by how much of it still lies within the last 60 seconds. Unlike a plain fixed
/// window, a burst straddling the minute boundary is still seen as one burst.
pub async fn check_ip(state: &AppState, client_ip: &str) -> Result<(), AppError> {
    if state.auth_rate_limit == 0 {
        return Ok(());
    }
    let now = store::now();
    let window = now - now.rem_euclid(WINDOW_SECS);
    let bucket = format!("auth-ip:{}", network_of(client_ip));
    let current = rate_limits::hit(state.store.pool(), &bucket, window).await?;
    let previous = rate_limits::count(state.store.pool(), &bucket, window - WINDOW_SECS).await?;
    let overlap = (WINDOW_SECS - (now - window)) as f64 / WINDOW_SECS as f64;
    let estimate = current as f64 + previous as f64 * overlap;
    if estimate > f64::from(state.auth_rate_limit) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: window + WINDOW_SECS - now,
        });
    }
    Ok(())
}

/// The unit an address is limited as: an IPv4 address, or the /64 an IPv6 address belongs to
/// (one subscriber usually holds a whole /64).
fn network_of(client_ip: &str) -> String {
    match client_ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(ip)) => {
            let [a, b, c, d, ..] = ip.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        _ => client_ip.to_owned(),
    }
}

/// What failed sign-ins are counted under: the account's connection and email. The same address
/// in two isolated organizations is two accounts, backing off separately.
pub fn sign_in_identifier(connection: &ConnectionId, email: &Email) -> String {
    format!("{connection}:{email}")
}

/// What the backoff knows of an (account, IP) pair before an attempt.
pub struct SignInRecord {
    has_failures: bool,
}

/// Refuses a sign-in attempt while this (account, IP) pair is backing off.
pub async fn check_sign_in(
    state: &AppState,
    identifier: &str,
    client_ip: &str,
) -> Result<SignInRecord, AppError> {
    let until = sign_in_failures::locked_until(state.store.pool(), identifier, client_ip).await?;
    let now = store::now();
    match until {
        Some(until) if until > now => Err(AppError::TooManyRequests {
            retry_after_secs: until - now,
        }),
        _ => Ok(SignInRecord {
            has_failures: until.is_some(),
        }),
    }
}

/// Forgets the pair's failures after it signed in (nothing to write when there were none).
pub async fn record_successful_sign_in(
    state: &AppState,
    record: SignInRecord,
    identifier: &str,
    client_ip: &str,
) -> Result<(), AppError> {
    if record.has_failures {
        sign_in_failures::clear_pair(state.store.pool(), identifier, client_ip).await?;
    }
    Ok(())
}

/// Records a failed sign-in; after the fifth, the pair must wait 30 s, then 60 s, …
/// up to 15 minutes between attempts.
pub async fn record_failed_sign_in(
    state: &AppState,
    identifier: &str,
    client_ip: &str,
) -> Result<(), AppError> {
    let failures = sign_in_failures::record(state.store.pool(), identifier, client_ip).await?;
    if failures >= FREE_FAILURES {
        let lock = backoff_secs(failures);
        sign_in_failures::lock(
            state.store.pool(),
            identifier,
            client_ip,
            store::now() + lock,
        )
        .await?;
    }
    Ok(())
}

fn backoff_secs(failures: i64) -> i64 {
    let doublings = (failures - FREE_FAILURES).clamp(0, 10);
    (30_i64 << doublings).min(MAX_LOCK_SECS)
}

#[cfg(test)]
mod tests {
    use super::{backoff_secs, network_of};

    #[test]
    fn ipv6_addresses_are_limited_per_64() {
        assert_eq!(
            network_of("2001:db8:1:2:aaaa::1"),
            network_of("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(network_of("2001:db8:1:2::1"), network_of("2001:db8:1:3::1"));
        assert_eq!(network_of("203.0.113.7"), "203.0.113.7");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(5), 30);
        assert_eq!(backoff_secs(6), 60);
        assert_eq!(backoff_secs(100), 900);
    }
}
