//! Validation of pod documents: every error at once, each with its field path in the user's own
//! names and a Kubernetes [`ErrorType`](crate::ErrorType).

pub mod names;
