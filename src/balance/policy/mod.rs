//! Built-in balancing policies.
