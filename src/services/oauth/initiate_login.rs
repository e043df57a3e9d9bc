//! OpenID Connect third-party initiated login (Core §4): after accepting an invitation or
//! verifying their email, a person lands in the product rather than on Usher's own pages,
//! when their organization or the deployment names a default application. Usher sends them
//! to its `initiate_login_uri`, and the application starts an ordinary authorization request,
//! which the person's new Usher session answers at once.
use url::Url;

use crate::domain::application::Application;
use crate::domain::{Email, OrganizationId};
use crate::services::Result;
use crate::state::AppState;
use crate::store::applications;

/// Where to send the person, and the application that is.
pub struct Landing {
    pub app: Application,
    pub url: String,
}

/// The landing application of `org` (its own, else the deployment's), if it has an
/// `initiate_login_uri`, with the URL that starts its sign-in for `email`.
pub async fn landing(
    state: &AppState,
    org: Option<&OrganizationId>,
    email: &Email,
) -> Result<Option<Landing>> {
    let app = applications::landing(state.store.pool(), org.map(|org| org.as_str())).await?;
    let Some(app) = app else {
        return Ok(None);
    };
    let Some(initiate) = app.initiate_login_uri.as_ref() else {
        return Ok(None);
    };
    let url = initiate_login_url(initiate.as_str(), &state.links.issuer(), email.as_str());
    Ok(url.map(|url| Landing { app, url }))
}

/// `initiate_login_uri` with `iss`, `login_hint` and `target_link_uri` (the application's
/// own front page) added to its query.
fn initiate_login_url(initiate: &str, issuer: &str, email: &str) -> Option<String> {
    let mut url = Url::parse(initiate).ok()?;
    let target = format!("{}/", url.origin().ascii_serialization());
    url.query_pairs_mut()
        .append_pair("iss", issuer)
        .append_pair("login_hint", email)
        .append_pair("target_link_uri", &target);
    Some(url.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initiate_login_uri_gets_the_issuer_hint_and_target() {
        let url = initiate_login_url(
            "https://app.example/login?from=usher",
            "https://id.example",
            "ada+x@example.com",
        )
        .unwrap();
        assert_eq!(
            url,
            "https://app.example/login?from=usher&iss=https%3A%2F%2Fid.example\
             &login_hint=ada%2Bx%40example.com&target_link_uri=https%3A%2F%2Fapp.example%2F"
        );
    }
}
