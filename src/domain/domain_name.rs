//! Domain names as organizations claim them: parsed from what an admin types, in the one
//! spelling DNS and email use, and never a consumer mail provider's.
use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// A syntactically valid domain of at least two labels, lower-case ASCII (internationalized
/// names in punycode), without a trailing dot, that is not a consumer mail domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DomainName(String);

/// Longest name DNS carries in text form (RFC 1035: 255 octets on the wire).
const MAX_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A maintained public list, vendored with its source and licence in its header.
const CONSUMER_LIST: &str = include_str!("consumer_mail_domains.txt");

/// Built once, on first use: about 14,000 names.
static CONSUMER_DOMAINS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    CONSUMER_LIST
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

impl DomainName {
    /// Parses what an admin typed: trims it, drops a trailing dot, lower-cases it and turns an
    /// internationalized name into punycode (UTS #46, as browsers and mail do), so that one
    /// domain has one spelling. The error is a sentence to show beside the field.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let input = input.trim();
        if input.is_empty() {
            return Err("Enter a domain, like acme.com.");
        }
        if input.contains('@') {
            return Err("Enter the domain alone, like acme.com, not an email address.");
        }
        if input.contains('/') || input.contains(':') {
            return Err("Enter the domain alone, like acme.com, without https:// or a path.");
        }
        let input = input.strip_suffix('.').unwrap_or(input);
        let Ok(ascii) = idna::domain_to_ascii(input) else {
            return Err(INVALID);
        };
        let labels: Vec<&str> = ascii.split('.').collect();
        if ascii.len() > MAX_LEN {
            return Err("A domain has at most 253 characters.");
        }
        if !labels.iter().all(|label| is_label(label)) {
            return Err(INVALID);
        }
        if labels.len() < 2 {
            return Err("Enter the full domain, with its ending, like acme.com.");
        }
        // A top-level domain is never all digits: that is an IP address, not a domain.
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("Enter a domain, like acme.com, not an IP address.");
        }
        if is_consumer_mail_domain(&ascii) {
            return Err(
                "This is a public email provider's domain: anyone can get an address there, so \
                 no organization can claim it. Enter your organization's own domain.",
            );
        }
        Ok(Self(ascii))
    }

    /// The domain of an email address, if it is one an organization could have verified.
    pub fn of_email(email: &super::Email) -> Option<Self> {
        Self::parse(email.domain()).ok()
    }

    /// Wraps a name read back from storage, where it was stored parsed.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const INVALID: &str =
    "Enter a valid domain, like acme.com: letters, digits and hyphens, in parts separated by dots.";

/// A DNS label in host-name syntax (RFC 1123): letters, digits and inner hyphens.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// True when anyone can get an address at `name` (free, ISP or disposable mail). Exact names
/// only: the list holds some registry suffixes (`net.ua`), whose subdomains belong to
/// ordinary companies, and a subdomain of a provider cannot carry a record its owner did not
/// publish anyway.
fn is_consumer_mail_domain(name: &str) -> bool {
    CONSUMER_DOMAINS.contains(name)
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_what_people_type() {
        for (typed, parsed) in [
            ("acme.com", "acme.com"),
            ("  Acme.COM. ", "acme.com"),
            ("eng.acme.co.uk", "eng.acme.co.uk"),
            ("bücher.example", "xn--bcher-kva.example"),
            ("ÉCOLE.fr", "xn--cole-9oa.fr"),
            ("my-company2.io", "my-company2.io"),
        ] {
            assert_eq!(
                DomainName::parse(typed).unwrap().as_str(),
                parsed,
                "{typed}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_domain() {
        for bad in [
            "",
            "   ",
            "localhost",
            "acme",
            "ada@acme.com",
            "https://acme.com",
            "acme.com/path",
            "acme..com",
            ".acme.com",
            "-acme.com",
            "acme-.com",
            "ac me.com",
            "acme_corp.com",
            "*.acme.com",
            "10.0.0.1",
            "[::1]",
            "acme.com:443",
            &format!("{}.com", "a".repeat(64)),
            &format!("{}com", "abcdefghi.".repeat(26)),
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn refuses_consumer_mail_domains_from_the_vendored_list() {
        assert!(CONSUMER_DOMAINS.len() > 10_000, "the list did not load");
        for consumer in [
            "gmail.com",
            "GMAIL.com",
            "outlook.com",
            "hotmail.com",
            "yahoo.com",
            "icloud.com",
            "gmx.de",
            "mail.ru",
            "mailinator.com",
        ] {
            let refusal = DomainName::parse(consumer).unwrap_err();
            assert!(refusal.contains("public email provider"), "{consumer}");
        }
        // The list's registry suffixes do not take their subdomains with them.
        assert!(DomainName::parse("net.ua").is_err());
        assert!(DomainName::parse("acme.net.ua").is_ok());
    }

    #[test]
    fn the_domain_of_an_email_is_found_when_it_could_be_claimed() {
        let email = |s: &str| super::super::Email::parse(s).unwrap();
        assert_eq!(
            DomainName::of_email(&email("Ada@Acme.com")).map(|d| d.0),
            Some("acme.com".to_owned())
        );
        assert_eq!(DomainName::of_email(&email("ada@gmail.com")), None);
    }
}
