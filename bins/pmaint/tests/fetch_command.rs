//! `pmaint fetch` runs make.conf's / the environment's FETCHCOMMAND family: an ftp:// SRC_URI
//! "downloaded" by a small `sh -c` script copying from a local directory (no network), for
//! explicit inputs (environment) and for a package target (make.conf).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha512};
use strata_testtools::{
    stdout_of, write_ebuild_with_entry, write_file, write_portage_config, write_repo_skeleton,
};

const COMMAND_VARS: [&str; 4] = [
    "FETCHCOMMAND",
    "RESUMECOMMAND",
    "FETCHCOMMAND_FTP",
    "RESUMECOMMAND_FTP",
];

fn pmaint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pmaint"));
    for v in COMMAND_VARS {
        c.env_remove(v);
    }
    c
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A command logging its words to `log` and copying `upstream/<URI path after the host>`.
fn copy_command(label: &str, upstream: &Path, log: &Path) -> String {
    format!(
        r#"sh -c 'printf "%s|" "$0" "$@" > "{log}"; cp "{up}/${{2#*://*/}}" "$1/$3"' {label} "${{DISTDIR}}" "${{URI}}" "${{FILE}}""#,
        log = log.display(),
        up = upstream.display(),
    )
}

#[test]
fn environment_fetchcommand_ftp_fetches_an_ftp_src_uri() {
    let tmp = tempfile::tempdir().unwrap();
    let payload = b"ftp payload\n";
    let upstream = tmp.path().join("up");
    write_file(&upstream, "pub/foo-1.tar.gz", "ftp payload\n");
    let manifest = tmp.path().join("Manifest");
    std::fs::write(
        &manifest,
        format!(
            "DIST foo-1.tar.gz {} SHA512 {}\n",
            payload.len(),
            hex(&Sha512::digest(payload))
        ),
    )
    .unwrap();
    let distdir = tmp.path().join("dist files");
    let log = tmp.path().join("log");
    let uri = "ftp://example.invalid/pub/foo-1.tar.gz";
    let command = |env: Option<(&str, String)>| {
        let mut c = pmaint();
        c.args(["fetch", "--distdir"])
            .arg(&distdir)
            .arg("--manifest")
            .arg(&manifest)
            .args(["--src-uri", uri]);
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        c
    };

    // No command for ftp: strata's default wget is used; make it unusable to keep the test
    // off the network and show the command is what runs.
    let out = command(Some(("FETCHCOMMAND", "no-such-program-xyz ${FILE}".into())))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(!distdir.join("foo-1.tar.gz").exists());

    let stdout = stdout_of(&mut command(Some((
        "FETCHCOMMAND_FTP",
        copy_command("ftp", &upstream, &log),
    ))));
    assert_fetched_by_command(&stdout, uri, &distdir, payload, &log, "ftp");
}

/// `stdout` reports `foo-1.tar.gz` fetched from `uri`, the file in `distdir` holds
/// `payload`, and the command labelled `label` logged the words it was given.
fn assert_fetched_by_command(
    stdout: &str,
    uri: &str,
    distdir: &Path,
    payload: &[u8],
    log: &Path,
    label: &str,
) {
    assert!(
        stdout.contains(&format!("foo-1.tar.gz: fetched from {uri}")),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(distdir.join("foo-1.tar.gz")).unwrap(),
        payload
    );
    assert_eq!(
        std::fs::read_to_string(log).unwrap(),
        format!(
            "{label}|{}|{uri}|foo-1.tar.gz.__download__|",
            distdir.display()
        )
    );
}

#[test]
fn make_conf_fetchcommand_ftp_serves_a_package_target() {
    let tmp = tempfile::tempdir().unwrap();
    let payload = b"target payload\n";
    let upstream = tmp.path().join("up");
    write_file(&upstream, "pub/foo-1.tar.gz", "target payload\n");
    let repo = tmp.path().join("repo");
    let profile = write_repo_skeleton(
        &repo,
        "tiny",
        &["app-misc"],
        "thin-manifests = true\nmanifest-hashes = SHA512\n",
    );
    let src_uri = "ftp://example.invalid/pub/foo-1.tar.gz";
    write_ebuild_with_entry(
        &repo,
        "app-misc/foo-1",
        &format!(
            "EAPI=8\nDESCRIPTION=\"foo\"\nSLOT=\"0\"\nLICENSE=\"MIT\"\nKEYWORDS=\"amd64\"\nSRC_URI=\"{src_uri}\"\n"
        ),
        &[
            ("DEFINED_PHASES", "-"),
            ("DESCRIPTION", "foo"),
            ("EAPI", "8"),
            ("KEYWORDS", "amd64"),
            ("LICENSE", "MIT"),
            ("SLOT", "0"),
            ("SRC_URI", src_uri),
        ],
    );
    write_file(
        &repo,
        "app-misc/foo/Manifest",
        &format!(
            "DIST foo-1.tar.gz {} SHA512 {}\n",
            payload.len(),
            hex(&Sha512::digest(payload))
        ),
    );
    let distdir = tmp.path().join("distfiles");
    let log = tmp.path().join("log");
    // make.conf style: `$` and `"` escaped (\${FILE}, \") so the file's own expansion keeps
    // them for the fetcher, as make.conf(5) shows.
    let command = copy_command("make.conf", &upstream, &log)
        .replace('"', "\\\"")
        .replace('$', "\\$");
    let config_root = tmp.path().join("config");
    write_portage_config(
        &config_root,
        &[("tiny", &repo)],
        &format!(
            "ACCEPT_LICENSE=\"*\"\nDISTDIR=\"{}\"\nGENTOO_MIRRORS=\"\"\nFETCHCOMMAND_FTP=\"{command}\"\n",
            distdir.display()
        ),
        &profile,
    );
    let stdout = stdout_of(
        pmaint()
            .args(["fetch", "--config-root"])
            .arg(&config_root)
            .arg("--root")
            .arg(&config_root)
            .arg("app-misc/foo"),
    );
    assert_fetched_by_command(&stdout, src_uri, &distdir, payload, &log, "make.conf");
}
