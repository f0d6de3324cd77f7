//! pquery on a binary repository: Portage's own PKGDIR as the domain's PKGDIR.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::refrepo_gpkg_config as config;

fn pquery(etc: &Path, args: &[&str]) -> String {
    common::run(common::command(etc, None, &etc.join("index")).args(args))
        .success(&format!("{args:?}"))
}

#[test]
fn binary_repository_is_listed_with_every_build() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = config(tmp.path());
    // Portage's Packages index lists these builds (usetoggle twice: BUILD_ID 1 and 2).
    assert_eq!(
        pquery(&etc, &["-B", "*"]),
        "app-misc/blocker-1\napp-misc/hello-1.0\napp-misc/hello-1.1\napp-misc/needs-lib-1\n\
         app-misc/oddfiles-1\napp-misc/usetoggle-1\napp-misc/usetoggle-1\ndev-libs/libdemo-2.0\n"
    );
    assert_eq!(
        pquery(&etc, &["-r", "binpkgs", "-n", "dev-libs/*"]),
        "dev-libs/libdemo\n"
    );
    // -A adds the binary builds to the source versions.
    let all = pquery(&etc, &["-A", "app-misc/hello"]);
    assert_eq!(all.matches("app-misc/hello-1.1").count(), 2, "{all}");
}
