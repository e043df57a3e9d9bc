//! The organization admin portal under `/o/{slug}/admin`, for its owners and admins: members,
//! invitations, branding, settings, domains and the audit log, one module each.
pub mod audit;
pub mod audit_csv;
pub mod branding;
pub mod bulk_invite;
pub mod domains;
pub mod invitations;
pub mod members;
pub mod settings;
pub mod sso;

use actix_web::{HttpResponse, web};

use crate::auth::{OrgAdmin, OrgMember};
use crate::domain::{Role, Slug};
use crate::error::AppError;
use crate::web::respond::see_other;
use crate::web::urls::Urls;

/// The portal's sections, in the order its navigation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Members,
    Invitations,
    Branding,
    Settings,
    Domains,
    Sso,
    Audit,
}

impl Section {
    pub const ALL: [Self; 7] = [
        Self::Members,
        Self::Invitations,
        Self::Branding,
        Self::Settings,
        Self::Domains,
        Self::Sso,
        Self::Audit,
    ];

    pub fn url(self) -> Urls {
        match self {
            Self::Members => Urls::OrgAdminMembers,
            Self::Invitations => Urls::OrgAdminInvitations,
            Self::Branding => Urls::OrgAdminBranding,
            Self::Settings => Urls::OrgAdminSettings,
            Self::Domains => Urls::OrgAdminDomains,
            Self::Sso => Urls::OrgAdminSso,
            Self::Audit => Urls::OrgAdminAudit,
        }
    }

    /// Settings are for owners; admins see every other section.
    pub fn visible_to(self, role: Role) -> bool {
        self != Self::Settings || role == Role::Owner
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Members => "Members",
            Self::Invitations => "Invitations",
            Self::Branding => "Branding",
            Self::Settings => "Settings",
            Self::Domains => "Domains",
            Self::Sso => "Single sign-on",
            Self::Audit => "Audit log",
        }
    }
}

/// What the portal's layout shows around every section.
pub struct AdminNav {
    pub org_name: String,
    pub slug: Slug,
    pub section: Section,
    /// The viewer's role: the sections offered are those it may open.
    pub role: Role,
}

impl AdminNav {
    pub fn new(member: &OrgMember, section: Section) -> Self {
        Self {
            org_name: member.org.name.clone(),
            slug: member.org.slug.clone(),
            section,
            role: member.role,
        }
    }

    pub fn sections(&self) -> Vec<Section> {
        Section::ALL
            .into_iter()
            .filter(|section| section.visible_to(self.role))
            .collect()
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(Urls::OrgAdmin.pattern(), web::get().to(home))
        .configure(members::configure)
        .configure(invitations::configure)
        .configure(bulk_invite::configure)
        .configure(settings::configure)
        .configure(branding::configure)
        .configure(domains::configure)
        .configure(sso::configure)
        .configure(audit::configure);
}

/// The portal opens on its member list.
async fn home(OrgAdmin(admin): OrgAdmin) -> Result<HttpResponse, AppError> {
    Ok(see_other(&Urls::OrgAdminMembers.with(&admin.org.slug)))
}
