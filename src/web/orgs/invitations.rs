//! `/invitations/{token}`: accepting an invitation from its email link.
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Browser, TypedSession};
use crate::domain::{DisplayName, EmailToken, NewPassword, Role};
use crate::error::AppError;
use crate::services::invitations::{self, AcceptOutcome, Acceptance, Pending};
use crate::services::organizations;
use crate::services::throttle::{self, Attempt};
use crate::state::AppState;
use crate::web::client_ip::ClientIp;
use crate::web::forms::FieldErrors;
use crate::web::page::Page;
use crate::web::respond::{render_token_page, see_other};
use crate::web::shared::link_invalid::LinkInvalid;
use crate::web::sign_in::login;
use crate::web::urls::Urls;

#[derive(Template)]
#[template(path = "orgs/invitation.html")]
struct InvitationPage {
    page: Page,
    token: String,
    inviter: String,
    org_name: String,
    email: String,
    role: Role,
    /// The signed-in user is the invited account: one button joins.
    signed_in_as_invitee: bool,
    account_exists: bool,
    name: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn view(
    page: Page,
    token: &EmailToken,
    pending: &Pending,
    name: String,
    errors: FieldErrors,
) -> InvitationPage {
    let email = pending.invitation.email.clone();
    let signed_in_as_invitee = page
        .user
        .as_ref()
        .is_some_and(|u| u.email == email && u.connection_id == pending.org.connection_id);
    InvitationPage {
        page: page.branded(&pending.org),
        token: token.as_str().to_owned(),
        inviter: pending
            .invitation
            .inviter_name
            .clone()
            .unwrap_or_else(|| "The platform operator".into()),
        org_name: pending.org.name.clone(),
        email: email.to_string(),
        role: pending.invitation.role,
        signed_in_as_invitee,
        account_exists: pending.account_exists,
        name,
        errors,
    }
}

pub async fn get(
    page: Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = EmailToken::from_link(&token);
    let Some(pending) = invitations::pending(&state, &token).await? else {
        return LinkInvalid::invitation(page);
    };
    organizations::ensure_active(&pending.org)?;
    render_token_page(
        StatusCode::OK,
        &view(
            page,
            &token,
            &pending,
            String::new(),
            FieldErrors::default(),
        ),
    )
}

pub async fn post(
    page: Page,
    state: web::Data<AppState>,
    session: TypedSession,
    ip: ClientIp,
    browser: Browser,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    throttle::check_ip(&state, &ip.0).await?;
    let token = EmailToken::from_link(&token);
    let Some(pending) = invitations::pending(&state, &token).await? else {
        return LinkInvalid::invitation(page);
    };
    let mut errors = FieldErrors::default();
    let email = pending.invitation.email.clone();
    let signed_in = page
        .user
        .clone()
        .filter(|u| u.email == email && u.connection_id == pending.org.connection_id);
    let how = match (&signed_in, pending.account_exists) {
        (Some(user), _) => Some(Acceptance::SignedIn(user)),
        (None, true) => Some(Acceptance::ExistingAccount {
            password: &form.password,
        }),
        (None, false) => {
            let name = errors.check("name", DisplayName::parse(&form.name));
            let context = [email.as_str(), email.local_part(), form.name.as_str()];
            let rules = state.password_rules;
            let password = errors.check(
                "password",
                NewPassword::parse(&form.password, &context, rules),
            );
            match (name, password) {
                (Some(name), Some(password)) => Some(Acceptance::NewAccount { name, password }),
                _ => None,
            }
        }
    };
    let Some(how) = how else {
        let page = view(page, &token, &pending, form.into_inner().name, errors);
        return render_token_page(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let attempt = Attempt {
        client_ip: &ip.0,
        browser: Some(&browser.id),
    };
    match invitations::accept(&state, &pending, how, attempt).await? {
        AcceptOutcome::Joined(user) => {
            session.sign_in(&user.id).map_err(AppError::unexpected)?;
            session
                .set_org(&pending.org.id)
                .map_err(AppError::unexpected)?;
            Ok(see_other(&Urls::OrgHome.with(&pending.org.slug)))
        }
        AcceptOutcome::WrongPassword => {
            errors.add("password", "Incorrect password.");
            let page = view(page, &token, &pending, String::new(), errors);
            render_token_page(StatusCode::UNAUTHORIZED, &page)
        }
        AcceptOutcome::Locked => {
            errors.add("password", login::LOCKED);
            let page = view(page, &token, &pending, String::new(), errors);
            render_token_page(StatusCode::FORBIDDEN, &page)
        }
        AcceptOutcome::AccountAppeared => Ok(see_other(&Urls::Invitation.with(token.as_str()))),
        AcceptOutcome::NotForThisAccount | AcceptOutcome::LinkUsed => LinkInvalid::invitation(page),
    }
}
