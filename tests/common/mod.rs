//! Helpers shared by the integration tests.

pub(crate) mod reference;
pub(crate) mod suite;
