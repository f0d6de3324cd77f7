//! Running the project's binaries in tests.

use std::process::Command;

/// Runs `cmd`, panics with its stderr unless it succeeds, and returns its stdout.
///
/// # Panics
/// When the command cannot be started, fails, or prints something that is not UTF-8.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{cmd:?}: stdout is not UTF-8: {e}"))
}
