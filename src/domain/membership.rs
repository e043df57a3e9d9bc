//! Memberships as lists show them.
use super::{DisplayName, Email, OrganizationId, Role, Slug, UserId};

/// One member on an organization's member list.
#[derive(Debug, Clone)]
pub struct MemberSummary {
    pub user_id: UserId,
    pub name: DisplayName,
    pub email: Email,
    pub role: Role,
    /// Unix seconds.
    pub joined_at: i64,
}

/// One of a user's organizations, as the picker offers it.
#[derive(Debug, Clone)]
pub struct OrgChoice {
    pub id: OrganizationId,
    pub slug: Slug,
    pub name: String,
    pub role: Role,
    pub suspended: bool,
}

/// Why a change to a membership is refused: each a rule of the organization, not of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipRefusal {
    /// Only owners and admins manage members.
    NotAManager,
    /// Nobody grants a role above their own (an admin cannot make owners).
    AboveOwnRole,
    /// Owners are changed and removed by owners only.
    OwnerOnlyByOwner,
    /// An organization always keeps one owner: the last cannot leave or be demoted.
    LastOwner,
}

impl MembershipRefusal {
    /// The sentence the page shows.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotAManager => "Only owners and admins can manage members.",
            Self::AboveOwnRole => "You cannot give a role above your own.",
            Self::OwnerOnlyByOwner => "Only an owner can change or remove an owner.",
            Self::LastOwner => {
                "This is the organization's last owner. Make someone else an owner first."
            }
        }
    }
}

/// May `actor` change `target`'s role from `current` to `new`? `owners` is how many owners
/// the organization has now (an organization never loses its last one).
pub fn may_change_role(
    actor: Role,
    current: Role,
    new: Role,
    owners: i64,
) -> Result<(), MembershipRefusal> {
    if !actor.can_manage_members() {
        return Err(MembershipRefusal::NotAManager);
    }
    if new > actor {
        return Err(MembershipRefusal::AboveOwnRole);
    }
    if current == Role::Owner && actor != Role::Owner {
        return Err(MembershipRefusal::OwnerOnlyByOwner);
    }
    if current == Role::Owner && new != Role::Owner && owners <= 1 {
        return Err(MembershipRefusal::LastOwner);
    }
    Ok(())
}

/// May `actor` remove a member whose role is `target`?
pub fn may_remove(actor: Role, target: Role, owners: i64) -> Result<(), MembershipRefusal> {
    if !actor.can_manage_members() {
        return Err(MembershipRefusal::NotAManager);
    }
    if target == Role::Owner && actor != Role::Owner {
        return Err(MembershipRefusal::OwnerOnlyByOwner);
    }
    if target == Role::Owner && owners <= 1 {
        return Err(MembershipRefusal::LastOwner);
    }
    Ok(())
}

/// May a member with `role` leave on their own?
pub fn may_leave(role: Role, owners: i64) -> Result<(), MembershipRefusal> {
    if role == Role::Owner && owners <= 1 {
        return Err(MembershipRefusal::LastOwner);
    }
    Ok(())
}

/// May `inviter` invite someone as `role`? Nobody invites above their own role.
pub fn may_invite(inviter: Role, role: Role) -> Result<(), MembershipRefusal> {
    if !inviter.can_manage_members() {
        return Err(MembershipRefusal::NotAManager);
    }
    if role > inviter {
        return Err(MembershipRefusal::AboveOwnRole);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::MembershipRefusal::*;
    use super::*;
    use Role::*;

    #[test]
    fn admins_manage_members_but_never_above_themselves_or_owners() {
        assert_eq!(may_change_role(Admin, Member, Admin, 1), Ok(()));
        assert_eq!(may_change_role(Admin, Member, Owner, 1), Err(AboveOwnRole));
        assert_eq!(
            may_change_role(Admin, Owner, Member, 2),
            Err(OwnerOnlyByOwner)
        );
        assert_eq!(may_change_role(Member, Member, Admin, 1), Err(NotAManager));
        assert_eq!(may_remove(Admin, Owner, 3), Err(OwnerOnlyByOwner));
        assert_eq!(may_remove(Admin, Admin, 1), Ok(()));
        assert_eq!(may_invite(Admin, Owner), Err(AboveOwnRole));
        assert_eq!(may_invite(Owner, Owner), Ok(()));
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(may_change_role(Owner, Owner, Admin, 1), Err(LastOwner));
        assert_eq!(may_change_role(Owner, Owner, Admin, 2), Ok(()));
        assert_eq!(may_remove(Owner, Owner, 1), Err(LastOwner));
        assert_eq!(may_leave(Owner, 1), Err(LastOwner));
        assert_eq!(may_leave(Owner, 2), Ok(()));
        assert_eq!(may_leave(Member, 1), Ok(()));
    }
}
