//! Where a signed-in person goes: into their organization, or to the picker.
use crate::domain::{Organization, OrganizationId, Slug, User};
use crate::state::AppState;
use crate::store::{memberships, organizations, users};

/// One organization in the picker.
pub struct OrgChoice {
    pub id: OrganizationId,
    pub slug: Slug,
    pub name: String,
    pub role: String,
    pub suspended: bool,
}

/// The user's organizations, the one chosen last first, then by name.
pub async fn choices(state: &AppState, user: &User) -> anyhow::Result<Vec<OrgChoice>> {
    let last = users::last_organization(state.store.pool(), &user.id).await?;
    let mut choices: Vec<OrgChoice> = memberships::list_for_user(state.store.pool(), &user.id)
        .await?
        .into_iter()
        .map(|row| OrgChoice {
            id: OrganizationId::from_stored(row.id),
            slug: Slug::from_stored(row.slug),
            name: row.name,
            role: row.role,
            suspended: row.suspended_at.is_some(),
        })
        .collect();
    if let Some(i) = last.and_then(|last| choices.iter().position(|c| c.id.as_str() == last)) {
        let chosen = choices.remove(i);
        choices.insert(0, chosen);
    }
    Ok(choices)
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
) -> anyhow::Result<Landing> {
    let chosen = match entered_at {
        Some(org) => memberships::find_role(state.store.pool(), &org.id, &user.id)
            .await?
            .map(|_| (org.id.clone(), org.slug.clone())),
        None => {
            let mut choices = choices(state, user).await?;
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
pub async fn remember_choice(
    state: &AppState,
    user: &User,
    org: &OrganizationId,
) -> anyhow::Result<()> {
    users::set_last_organization(state.store.pool(), &user.id, org).await?;
    Ok(())
}

/// The path prefix of the pages where the user signs in: their isolated organization's own
/// ("/o/{slug}"), or the deployment's ("").
pub async fn realm_base(state: &AppState, user: &User) -> anyhow::Result<String> {
    let own =
        organizations::find_by_own_connection(state.store.pool(), &user.connection_id).await?;
    Ok(own
        .map(|org| format!("/o/{}", org.slug))
        .unwrap_or_default())
}
