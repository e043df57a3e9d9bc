//! Invitations: where one stands in its life.
use super::{Email, OrganizationId, Role};

/// The state of an invitation, from its timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationState {
    /// Accepted and revoked are final; an unanswered invitation expires with its link.
    pub fn of(
        accepted_at: Option<i64>,
        revoked_at: Option<i64>,
        expires_at: i64,
        now: i64,
    ) -> Self {
        match (accepted_at, revoked_at) {
            (Some(_), _) => Self::Accepted,
            (None, Some(_)) => Self::Revoked,
            (None, None) if expires_at <= now => Self::Expired,
            (None, None) => Self::Pending,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// How long an organization's invitations stay valid, in days (1 to 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvitationLifetime(i64);

impl Default for InvitationLifetime {
    fn default() -> Self {
        Self(7)
    }
}

impl InvitationLifetime {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        match input.trim().parse::<i64>() {
            Ok(days) if (1..=30).contains(&days) => Ok(Self(days)),
            _ => Err("Choose a lifetime from 1 to 30 days."),
        }
    }

    /// A stored value; out-of-range values (none are written) fall back to the default.
    pub fn from_stored(days: i64) -> Self {
        match days {
            1..=30 => Self(days),
            _ => Self::default(),
        }
    }

    pub fn days(self) -> i64 {
        self.0
    }

    pub fn secs(self) -> i64 {
        self.0 * 24 * 3600
    }
}

/// One invitation on an organization's list.
#[derive(Debug, Clone)]
pub struct InvitationSummary {
    pub id: String,
    pub organization_id: OrganizationId,
    pub email: Email,
    pub role: Role,
    pub inviter_name: Option<String>,
    pub state: InvitationState,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_timestamps() {
        assert_eq!(
            InvitationState::of(None, None, 100, 50),
            InvitationState::Pending
        );
        assert_eq!(
            InvitationState::of(None, None, 100, 100),
            InvitationState::Expired
        );
        assert_eq!(
            InvitationState::of(Some(1), None, 100, 200),
            InvitationState::Accepted
        );
        assert_eq!(
            InvitationState::of(None, Some(1), 100, 50),
            InvitationState::Revoked
        );
    }

    #[test]
    fn lifetimes_are_one_to_thirty_days() {
        assert_eq!(InvitationLifetime::parse("7").unwrap().days(), 7);
        for bad in ["0", "31", "x", ""] {
            assert!(InvitationLifetime::parse(bad).is_err(), "{bad}");
        }
    }
}
