//! Where a signed-in person goes: into their organization, or to the picker.
use crate::domain::{OrgChoice, Organization, OrganizationId, Slug, User};
use crate::services::{Error, Result};
use crate::state::AppState;
use crate::store::{memberships, organizations, users};

/// The user's organizations, the one chosen last first, then by name; only `confined_to` for a
/// sign-in through that organization's identity provider.
pub async fn choices(
    state: &AppState,
    user: &User,
    confined_to: Option<&OrganizationId>,
) -> Result<Vec<OrgChoice>> {
    let last = users::last_organization(state.store.pool(), &user.id).await?;
    let mut choices = memberships::list_for_user(state.store.pool(), &user.id).await?;
    choices.retain(|choice| confined_to.is_none_or(|only| &choice.id == only));
    if let Some(i) = last.and_then(|last| choices.iter().position(|c| c.id.as_str() == last)) {
        let chosen = choices.remove(i);
        choices.insert(0, chosen);
    }
    Ok(choices)
}

/// Makes one of the user's organizations the one they chose last; `NotFound` for any other.
pub async fn switch_to(
    state: &AppState,
    user: &User,
    slug: &str,
    confined_to: Option<&OrganizationId>,
) -> Result<OrgChoice> {
    let chosen = choices(state, user, confined_to)
        .await?
        .into_iter()
        .find(|c| c.slug.as_str() == slug)
        .ok_or(Error::NotFound)?;
    remember_choice(state, user, &chosen.id).await?;
    Ok(chosen)
}

/// After sign-in: into the organization whose page the person signed in on (if a member),
/// else straight into their only organization; the picker when there are several or none (it
/// says so and offers to create one). An organization entered is remembered as the last choice.
pub enum Landing {
    Organization(OrganizationId, Slug),
    Picker,
}

pub async fn after_sign_in(
    state: &AppState,
    user: &User,
    entered_at: Option<&Organization>,
) -> Result<Landing> {
    let chosen = match entered_at {
        Some(org) => memberships::find_role(state.store.pool(), &org.id, &user.id)
            .await?
            .map(|_| (org.id.clone(), org.slug.clone())),
        None => {
            let mut choices = choices(state, user, None).await?;
            match (choices.len(), choices.pop()) {
                (1, Some(only)) => Some((only.id, only.slug)),
                _ => None,
            }
        }
    };
    let Some((org, slug)) = chosen else {
        return Ok(Landing::Picker);
    };
    remember_choice(state, user, &org).await?;
    Ok(Landing::Organization(org, slug))
}

/// Remembers the user's choice, to offer it first next time.
pub async fn remember_choice(state: &AppState, user: &User, org: &OrganizationId) -> Result<()> {
    users::set_last_organization(state.store.pool(), &user.id, org).await?;
    Ok(())
}

/// The organization whose own pages the user signs in on: the isolated organization that owns
/// their connection; `None` for the deployment's pages.
pub async fn home_realm(state: &AppState, user: &User) -> Result<Option<Slug>> {
    let own =
        organizations::find_by_own_connection(state.store.pool(), &user.connection_id).await?;
    Ok(own.map(|org| org.slug))
}
