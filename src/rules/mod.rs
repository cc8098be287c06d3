//! Every rule of RULES.md, one family a file. Rules read no clock, do no I/O and never
//! panic; each pushes every violation it finds into the sink and never stops the others.

pub(crate) mod address;
pub(crate) mod birthday;
pub(crate) mod countries;
pub(crate) mod email;
pub(crate) mod external_refs;
pub(crate) mod metadata;
pub(crate) mod names;
pub(crate) mod phone;
pub(crate) mod request;
pub(crate) mod text;
