//! A domain an organization claims, and the DNS TXT record that proves the claim: only whoever
//! runs a domain's DNS can publish a record under it, so a published random token shows that
//! the organization's admins do.
use super::{DomainId, DomainName, OrganizationId};

/// The label the record is published under, below the domain. An underscore name (RFC 8552)
/// never collides with a host, and says whose record it is.
pub const RECORD_LABEL: &str = "_usher-verification";
/// What the record's value starts with, so that people (and Usher) can tell it among the other
/// TXT records of the name.
const VALUE_PREFIX: &str = "usher-verification=";

/// The random value an organization publishes for one of its domains: 160 bits, in hex so
/// that it survives being copied into any DNS provider's form. Not a secret (it is published),
/// but unguessable, so that one organization's record never proves another's claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationToken(String);

impl VerificationToken {
    pub fn generate() -> Self {
        let bytes: [u8; 20] = rand::random();
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn from_stored(token: String) -> Self {
        Self(token)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A domain as its organization's admins see it.
#[derive(Debug, Clone)]
pub struct OrgDomain {
    pub id: DomainId,
    pub organization_id: OrganizationId,
    pub name: DomainName,
    pub token: VerificationToken,
    /// When its record was found; `None` while it is not (or no longer) verified.
    pub verified_at: Option<i64>,
    /// When Usher last looked its record up, and why that look did not prove it.
    pub last_checked_at: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Why the published records did not prove a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotProven {
    /// Nothing is published at the record's name.
    NoRecord,
    /// Records are published there, but none carries this domain's value.
    OtherValues,
}

impl OrgDomain {
    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }

    /// The fully qualified name to publish the TXT record at, as DNS providers show it
    /// (without the final dot).
    pub fn record_name(&self) -> String {
        format!("{RECORD_LABEL}.{}", self.name)
    }

    /// The TXT record's value.
    pub fn record_value(&self) -> String {
        format!("{VALUE_PREFIX}{}", self.token.as_str())
    }

    /// Whether the TXT values found at the record's name prove the claim: one of them must be
    /// this domain's value. Surrounding quotes and spaces are forgiven, as some DNS providers'
    /// forms keep the quotes people paste.
    pub fn proven_by(&self, values: &[String]) -> Result<(), NotProven> {
        if values.is_empty() {
            return Err(NotProven::NoRecord);
        }
        let expected = self.record_value();
        let matches = |value: &String| value.trim().trim_matches('"').trim() == expected;
        match values.iter().any(matches) {
            true => Ok(()),
            false => Err(NotProven::OtherValues),
        }
    }

    /// Why the records did not prove the claim, in words for the admins, naming the record.
    pub fn explain(&self, not_proven: NotProven) -> String {
        match not_proven {
            NotProven::NoRecord => format!(
                "No TXT record was found at {}. Publish it, and allow a few minutes for it to \
                 spread before checking again.",
                self.record_name()
            ),
            NotProven::OtherValues => format!(
                "The TXT records at {} do not include the value {}.",
                self.record_name(),
                self.record_value()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> OrgDomain {
        OrgDomain {
            id: DomainId::new(),
            organization_id: OrganizationId::new(),
            name: DomainName::parse("acme.com").unwrap(),
            token: VerificationToken::generate(),
            verified_at: None,
            last_checked_at: None,
            last_error: None,
            created_at: 0,
        }
    }

    #[test]
    fn tokens_carry_160_random_bits() {
        let (a, b) = (VerificationToken::generate(), VerificationToken::generate());
        assert_eq!(a.as_str().len(), 40);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_record_names_the_domain_and_carries_the_token() {
        let d = domain();
        assert_eq!(d.record_name(), "_usher-verification.acme.com");
        assert_eq!(
            d.record_value(),
            format!("usher-verification={}", d.token.as_str())
        );
    }

    #[test]
    fn only_this_domains_value_proves_it() {
        let d = domain();
        let other = domain();
        assert_eq!(d.proven_by(&[]), Err(NotProven::NoRecord));
        assert_eq!(
            d.proven_by(&[other.record_value(), "v=spf1 -all".into()]),
            Err(NotProven::OtherValues)
        );
        assert_eq!(
            d.proven_by(&[other.record_value(), d.record_value()]),
            Ok(())
        );
        assert_eq!(
            d.proven_by(&[format!(" \"{}\" ", d.record_value())]),
            Ok(())
        );
        assert!(d.explain(NotProven::NoRecord).contains(&d.record_name()));
    }
}
