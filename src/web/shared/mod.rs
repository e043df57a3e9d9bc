//! Pages several areas answer with: "check your email", and the page of a dead link.
pub mod check_email;
pub mod link_invalid;
