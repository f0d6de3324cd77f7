//! Multi-process concurrency test (being written).
fn main() {}
