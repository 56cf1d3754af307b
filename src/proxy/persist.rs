//! Cookie persistence.
