//! Request throttles kept in the database, so they count across every instance.
use crate::config::RecipientMailLimit;
use crate::domain::{BrowserId, ConnectionId, Email};
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{self, Tx, account_failures, known_browsers, rate_limits, sign_in_failures};

const WINDOW_SECS: i64 = 60;
/// Failed sign-ins from one network for one account before backoff starts.
const FREE_FAILURES: i64 = 5;
const MAX_LOCK_SECS: i64 = 15 * 60;
/// NIST SP 800-63B §5.2.2 (and ASVS 2.2.1): at most 100 consecutive failed sign-ins on one
/// account, from however many addresses; then the mailbox must be proved to go on.
pub const ACCOUNT_FAILURE_LIMIT: i64 = 100;

/// Counts an auth POST from `client_ip`; refuses it once the IP is over the per-minute limit.
///
/// The rate is a sliding-window estimate: this minute's count plus the previous minute's,
/// weighted by how much of it still lies within the last 60 seconds. Unlike a plain fixed
/// window, a burst straddling the minute boundary is still seen as one burst.
pub async fn check_ip(state: &AppState, client_ip: &str) -> Result<()> {
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
        return Err(Error::Throttled {
            retry_after_secs: window + WINDOW_SECS - now,
        });
    }
    Ok(())
}

/// The unit an address is limited as: an IPv4 address, or the /64 an IPv6 address belongs to
/// (one subscriber usually holds a whole /64). An IPv4-mapped IPv6 address is its IPv4 address.
pub fn network_of(client_ip: &str) -> String {
    match client_ip
        .parse::<std::net::IpAddr>()
        .map(|ip| ip.to_canonical())
    {
        Ok(std::net::IpAddr::V6(ip)) => {
            let [a, b, c, d, ..] = ip.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        Ok(ip) => ip.to_string(),
        Err(_) => client_ip.to_owned(),
    }
}

/// The kinds of mail a stranger can make Usher send, each limited on its own per recipient, so
/// that a reset asked for right after signing up still arrives.
#[derive(Debug, Clone, Copy)]
pub enum UnsolicitedMail {
    /// Sign-up, resend, and the "you already have an account" answer to a sign-up.
    SignUp,
    Reset,
}

/// Counts one unsolicited mail to `to` about its account in `connection` inside the caller's
/// transaction; false when the address had its share of this kind, and then nothing may be
/// sent. (One address may have accounts in several isolated organizations, each limited.)
pub async fn allow_mail_to(
    state: &AppState,
    tx: &mut Tx,
    connection: &ConnectionId,
    to: &Email,
    kind: UnsolicitedMail,
) -> Result<bool> {
    let RecipientMailLimit {
        per_minute,
        per_hour,
    } = state.recipient_mail_limit;
    if state.recipient_mail_limit.is_off() {
        return Ok(true);
    }
    let now = store::now();
    let minute = format!("mail-minute:{kind:?}:{connection}:{to}");
    if rate_limits::hit(&mut **tx, &minute, now - now.rem_euclid(60)).await? > per_minute {
        return Ok(false);
    }
    let hour = format!("mail-hour:{kind:?}:{connection}:{to}");
    Ok(rate_limits::hit(&mut **tx, &hour, now - now.rem_euclid(3600)).await? <= per_hour)
}

/// What failed sign-ins are counted under: the account's connection and email. The same address
/// in two isolated organizations is two accounts, backing off separately. Unknown accounts
/// are counted too, so that a lock says nothing about whether an account exists.
pub fn sign_in_identifier(connection: &ConnectionId, email: &Email) -> String {
    format!("{connection}:{email}")
}

/// Who is trying a password: where from, and in which browser.
#[derive(Clone, Copy)]
pub struct Attempt<'a> {
    pub client_ip: &'a str,
    pub browser: Option<&'a BrowserId>,
}

/// What the throttles decided about an attempt before its password is checked.
pub enum Gate {
    Open(SignInRecord),
    /// The account is locked and this browser never signed in to it: only the mailbox unlocks.
    /// `just_locked` when this very attempt locked it (its owner is then told).
    Locked {
        just_locked: bool,
    },
}

pub struct SignInRecord {
    pair_has_failures: bool,
    /// The account is locked and a known browser is trying.
    locked: bool,
}

/// A known browser may fail this often while the account is locked, then it is forgotten.
const KNOWN_BROWSER_FAILURES: i64 = 5;

/// Refuses an attempt while its (account, network) pair is backing off. Counts the attempt
/// against the account before its password is checked, and closes the gate once the account
/// is locked, unless this browser has signed in to it before.
pub async fn check_sign_in(
    state: &AppState,
    identifier: &str,
    attempt: Attempt<'_>,
) -> Result<Gate> {
    let db = state.store.pool();
    let network = network_of(attempt.client_ip);
    let until = sign_in_failures::locked_until(db, identifier, &network).await?;
    let now = store::now();
    if let Some(until) = until.filter(|until| *until > now) {
        return Err(Error::Throttled {
            retry_after_secs: until - now,
        });
    }
    let account = account_failures::begin_attempt(db, identifier, ACCOUNT_FAILURE_LIMIT).await?;
    let locked = account.locked_at.is_some();
    if locked {
        let known = match attempt.browser {
            Some(browser) => known_browsers::is_known(db, identifier, &browser.hash()).await?,
            None => false,
        };
        if !known {
            let just_locked = account.failures == ACCOUNT_FAILURE_LIMIT + 1;
            return Ok(Gate::Locked { just_locked });
        }
    }
    Ok(Gate::Open(SignInRecord {
        pair_has_failures: until.is_some(),
        locked,
    }))
}

/// A sign-in that could not be decided either way (a legacy store did not answer): the
/// attempt the gate counted is taken back.
pub async fn withdraw_sign_in(state: &AppState, identifier: &str) -> Result<()> {
    account_failures::withdraw_attempt(state.store.pool(), identifier).await?;
    Ok(())
}

/// After a successful sign-in: the pair's failures are forgotten, and the account's too
/// unless it is locked (a known browser got through the lock; the attacker is still there).
/// The browser is remembered as one that may pass a future lock.
pub async fn record_successful_sign_in(
    state: &AppState,
    record: SignInRecord,
    identifier: &str,
    attempt: Attempt<'_>,
) -> Result<()> {
    let db = state.store.pool();
    if record.pair_has_failures {
        sign_in_failures::clear_pair(db, identifier, &network_of(attempt.client_ip)).await?;
    }
    if !record.locked {
        account_failures::clear(db, identifier).await?;
    }
    if let Some(browser) = attempt.browser {
        known_browsers::remember(db, identifier, &browser.hash()).await?;
    }
    Ok(())
}

/// Records a failed sign-in (the account counted it already, as it started). After the fifth
/// from one network, that pair must wait 30 s, then 60 s, … up to 15 minutes between attempts.
pub async fn record_failed_sign_in(
    state: &AppState,
    record: SignInRecord,
    identifier: &str,
    attempt: Attempt<'_>,
) -> Result<()> {
    let db = state.store.pool();
    let network = network_of(attempt.client_ip);
    let failures = sign_in_failures::record(db, identifier, &network).await?;
    if failures >= FREE_FAILURES {
        let until = store::now() + backoff_secs(failures);
        sign_in_failures::lock(db, identifier, &network, until).await?;
    }
    if record.locked
        && let Some(browser) = attempt.browser
    {
        // A known browser gets a few tries through the lock, not endless guessing.
        known_browsers::record_failure(db, identifier, &browser.hash()).await?;
        known_browsers::forget_failing(db, identifier, KNOWN_BROWSER_FAILURES).await?;
    }
    Ok(())
}

/// Forgets every failure of an account and lifts its lock: its owner proved the mailbox.
pub async fn clear_account(tx: &mut Tx, identifier: &str) -> Result<()> {
    sign_in_failures::clear(&mut **tx, identifier).await?;
    account_failures::clear(&mut **tx, identifier).await?;
    Ok(())
}

/// After the password was replaced, no browser that signed in before is trusted any more.
pub async fn forget_browsers(tx: &mut Tx, identifier: &str) -> Result<()> {
    known_browsers::forget_all(&mut **tx, identifier).await?;
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
    fn ipv4_mapped_addresses_are_their_ipv4_address() {
        assert_eq!(network_of("::ffff:203.0.113.7"), "203.0.113.7");
        assert_ne!(
            network_of("::ffff:203.0.113.7"),
            network_of("::ffff:203.0.113.8")
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(5), 30);
        assert_eq!(backoff_secs(6), 60);
        assert_eq!(backoff_secs(100), 900);
    }
}
