//! A repository without `metadata/md5-cache` reads its metadata from Portage's
//! dependency cache (`<PORTAGE_DEPCACHEDIR>/<repository location>`, flat_hash), validated
//! as Portage does; a repository with its own cache consults the dependency cache per
//! entry (missing, or stale where the depcache's is valid); stale and missing entries are
//! reported as for md5-cache, and the dependency cache is never written.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use strata_cache::{
    CacheEntry, EclassChecksum, EclassPath, EclassStamp, EntryKey, StaleReason, parse_md5_entry,
    to_flat_hash, write_flat_hash_entry,
};
use strata_repo::ebuild::{DEFAULT_DEPCACHE_DIR, MetadataSourceKind};
use strata_repo::{EbuildRepo, MatchOptions, ProblemKind, Repository};
use strata_restrict::Restriction;
use strata_testtools::{
    copy_tree, gentoo_stub_dir, guru_dir, set_mtime_secs, snapshot, write_file,
    write_portage_config,
};

/// Packages whose depcache entries are written the way pkgcore writes them (`_mtime_`,
/// eclasses as name/dir/mtime).
const PKGCORE_STYLE: &[&str] = &["www-plugins/firefoxpwa"];
/// Packages whose depcache entries are written the way Portage writes them (`_md5_`,
/// eclasses as name/dir/md5 sorted by name).
const PORTAGE_STYLE: &[&str] = &["www-plugins/tridactyl-native", "acct-group/blocky"];

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn repo(&self) -> PathBuf {
        self.dir.path().join("overlay")
    }
    fn depcache(&self) -> PathBuf {
        self.dir.path().join("dep")
    }
    /// The overlay's own directory in the dependency cache.
    fn repo_depcache(&self) -> PathBuf {
        let rel = self.repo();
        self.depcache()
            .join(rel.strip_prefix("/").unwrap_or(rel.as_path()))
    }
    fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }
    fn config_root(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The overlay opened through the config (PORTAGE_DEPCACHEDIR in make.conf).
    fn open(&self) -> EbuildRepo {
        let domain = common::domain(&self.config_root(), &self.dir.path().join("root"));
        let cfg = domain.repos.get("overlay").unwrap();
        EbuildRepo::from_domain(cfg, &domain, Some(self.index())).unwrap()
    }
}

/// Every version of `cp` in GURU, with its md5-cache entry.
fn guru_entries(cp: &str) -> Vec<(EntryKey, CacheEntry)> {
    let (cat, pn) = cp.split_once('/').unwrap();
    let mut out = Vec::new();
    for e in std::fs::read_dir(guru_dir().join(cp)).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let Some(pf) = name.strip_suffix(".ebuild") else {
            continue;
        };
        assert!(pf.starts_with(pn));
        let path = guru_dir().join("metadata/md5-cache").join(cat).join(pf);
        let entry = parse_md5_entry(std::fs::read(&path).unwrap(), &path).unwrap();
        out.push((EntryKey::new(cat, pf), entry));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty());
    out
}

/// A Portage-written depcache entry (`flat_hash.mtime_md5_database`): `_md5_` kept,
/// `_eclasses_` as name/dir/md5 triples sorted by eclass name.
fn portage_style(entry: &CacheEntry, eclasses: &EclassPath) -> CacheEntry {
    let mut out = entry.clone();
    let mut stamps: Vec<EclassStamp> = entry
        .eclasses()
        .iter()
        .map(|e| {
            let file = eclasses.get(&e.name).unwrap();
            EclassStamp {
                name: e.name.clone(),
                dir: Some(file.dir().display().to_string()),
                checksum: EclassChecksum::Md5(file.md5().unwrap().to_owned()),
            }
        })
        .collect();
    stamps.sort_by(|a, b| a.name.cmp(&b.name));
    out.set_eclasses(stamps);
    out
}

/// The overlay (a few GURU packages, GURU's eclasses and profiles, no md5-cache), a
/// dependency cache generated from GURU's md5-cache entries, and a config naming both
/// with `PORTAGE_DEPCACHEDIR` in make.conf. `layout` replaces layout.conf.
fn fixture(layout: &str) -> Fixture {
    let f = Fixture {
        dir: tempfile::tempdir().unwrap(),
    };
    let repo = f.repo();
    let guru = guru_dir();
    copy_tree(&guru.join("profiles"), &repo.join("profiles"));
    copy_tree(&guru.join("eclass"), &repo.join("eclass"));
    write_file(&repo, "metadata/layout.conf", layout);
    for cp in PKGCORE_STYLE.iter().chain(PORTAGE_STYLE) {
        copy_tree(&guru.join(cp), &repo.join(cp));
    }
    assert!(!repo.join("metadata/md5-cache").exists());
    let eclasses = EclassPath::for_repo(&repo, &[gentoo_stub_dir()]).unwrap();
    let dep = f.repo_depcache();
    for (cps, pkgcore) in [(PKGCORE_STYLE, true), (PORTAGE_STYLE, false)] {
        for cp in cps {
            for (key, entry) in guru_entries(cp) {
                let ebuild = strata_cache::ebuild_path(&repo, &key).unwrap();
                let converted = if pkgcore {
                    to_flat_hash(&key, &entry, &ebuild, &eclasses).unwrap()
                } else {
                    portage_style(&entry, &eclasses)
                };
                let text = write_flat_hash_entry(&key, &converted).unwrap();
                write_file(&dep, &key.to_string(), &text);
            }
        }
    }
    write_portage_config(
        &f.config_root(),
        &[("gentoo", &gentoo_stub_dir()), ("overlay", &repo)],
        &format!(
            "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\nPORTAGE_DEPCACHEDIR=\"{}\"\n",
            f.depcache().display()
        ),
        &gentoo_stub_dir().join("profiles/default/linux/amd64"),
    );
    f
}

/// GURU's layout.conf without its `cache-formats = md5-dict` line.
fn layout_without_cache_formats() -> String {
    std::fs::read_to_string(guru_dir().join("metadata/layout.conf"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("cache-formats"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Every version of `repo`: `strict` leaves out those whose metadata is unavailable.
fn all(repo: &EbuildRepo, strict: bool) -> Vec<strata_repo::PackageRef> {
    let opts = if strict {
        MatchOptions::default()
    } else {
        MatchOptions::fast()
    };
    repo.itermatch(&Restriction::AlwaysTrue, &opts).unwrap()
}

/// The problems of `repo` by version, after looking at every package.
fn problems(repo: &EbuildRepo) -> BTreeMap<String, (PathBuf, ProblemKind)> {
    repo.check_all()
        .unwrap()
        .into_iter()
        .map(|p| (p.key, (p.path, p.kind)))
        .collect()
}

#[test]
fn versions_list_with_their_metadata_from_the_depcache() {
    let f = fixture(&layout_without_cache_formats());
    let before = snapshot(&f.depcache());
    let repo = f.open();
    assert_eq!(repo.metadata_source_kind(), MetadataSourceKind::DepCache);
    assert_eq!(repo.metadata_source().dir(), f.repo_depcache());
    let err = repo.search_index().unwrap_err().to_string();
    assert!(err.contains("depcache"), "{err}");

    let pkgs = all(&repo, true);
    let mut expected = Vec::new();
    for cp in PKGCORE_STYLE.iter().chain(PORTAGE_STYLE) {
        expected.extend(guru_entries(cp));
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    let listed: Vec<String> = pkgs.iter().map(|p| p.cpv().to_string()).collect();
    let want: Vec<String> = expected.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(listed, want);
    for (p, (key, entry)) in pkgs.iter().zip(&expected) {
        assert_eq!(p.problem(), None, "{key}");
        for k in [
            "DESCRIPTION",
            "SLOT",
            "KEYWORDS",
            "RDEPEND",
            "BDEPEND",
            "DEPEND",
            "IUSE",
            "LICENSE",
            "SRC_URI",
            "DEFINED_PHASES",
        ] {
            assert_eq!(p.get(k), entry.get(k), "{key} {k}");
        }
        let inherited: Vec<&str> = entry.inherited().collect();
        let mut want_inherited = inherited.clone();
        want_inherited.sort_unstable();
        let mut got: Vec<&str> = p.get("INHERITED").unwrap().split_whitespace().collect();
        got.sort_unstable();
        assert_eq!(got, want_inherited, "{key}");
        assert!(!entry.value("DESCRIPTION").is_empty());
    }
    assert!(problems(&repo).is_empty(), "{:?}", problems(&repo));
    // The search index is built from md5-cache entries: it is not used (nor built) for
    // a repository reading the dependency cache.
    assert!(
        !f.index().exists() || std::fs::read_dir(f.index()).unwrap().next().is_none(),
        "an index was built"
    );
    assert!(
        snapshot(&f.depcache()) == before,
        "the depcache was written"
    );
}

#[test]
fn stale_and_missing_depcache_entries_are_reported_and_nothing_is_written() {
    let f = fixture(&layout_without_cache_formats());
    let repo_dir = f.repo();
    // pkgcore-style entry: an ebuild whose mtime changed is stale, even with the same
    // bytes.
    let firefox = guru_entries("www-plugins/firefoxpwa");
    let touched = &firefox[0].0;
    set_mtime_secs(
        &strata_cache::ebuild_path(&repo_dir, touched).unwrap(),
        1_000_000_000,
    );
    // Portage-style entry (`_md5_`): a new mtime alone keeps it valid (Portage's md5
    // rule), changed bytes make it stale.
    let tridactyl = guru_entries("www-plugins/tridactyl-native");
    let same_bytes = &tridactyl[0].0;
    set_mtime_secs(
        &strata_cache::ebuild_path(&repo_dir, same_bytes).unwrap(),
        1_000_000_000,
    );
    let blocky = guru_entries("acct-group/blocky");
    let edited = &blocky[0].0;
    let edited_path = strata_cache::ebuild_path(&repo_dir, edited).unwrap();
    let mut text = std::fs::read_to_string(&edited_path).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&edited_path, text).unwrap();
    // A version whose depcache entry is missing.
    let missing = &firefox[1].0;
    let dep_file = f.repo_depcache().join(missing.to_string());
    std::fs::remove_file(&dep_file).unwrap();
    let before = snapshot(&f.depcache());

    let repo = f.open();
    // Every version is still listed; a strict match leaves out only the one without an
    // entry (a stale entry's metadata is still used, as for md5-cache).
    let pkgs = all(&repo, false);
    assert_eq!(pkgs.len(), firefox.len() + tridactyl.len() + blocky.len());
    let strict: Vec<String> = all(&repo, true)
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    assert_eq!(strict.len(), pkgs.len() - 1);
    assert!(!strict.contains(&missing.to_string()));
    let found = problems(&repo);
    let keys: Vec<&str> = found.keys().map(String::as_str).collect();
    let mut want = vec![touched.to_string(), edited.to_string(), missing.to_string()];
    want.sort();
    assert_eq!(keys, want, "{found:?}");
    match &found[&touched.to_string()] {
        (path, ProblemKind::StaleCacheEntry { reasons }) => {
            assert_eq!(path, &f.repo_depcache().join(touched.to_string()));
            assert!(
                matches!(
                    reasons[..],
                    [StaleReason::EbuildMtime {
                        actual: 1_000_000_000,
                        ..
                    }]
                ),
                "{reasons:?}"
            );
        }
        other => panic!("{touched}: {other:?}"),
    }
    match &found[&edited.to_string()] {
        (_, ProblemKind::StaleCacheEntry { reasons }) => assert!(
            matches!(reasons[..], [StaleReason::EbuildMd5 { .. }]),
            "{reasons:?}"
        ),
        other => panic!("{edited}: {other:?}"),
    }
    assert_eq!(
        found[&missing.to_string()],
        (dep_file.clone(), ProblemKind::MissingCacheEntry)
    );
    // A stale entry still gives its metadata, as for md5-cache; a missing one none.
    let by_cpv = |k: &EntryKey| {
        pkgs.iter()
            .find(|p| p.cpv().to_string() == k.to_string())
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_cpv(touched).get("DESCRIPTION"),
        firefox[0].1.get("DESCRIPTION")
    );
    assert_eq!(by_cpv(missing).get("DESCRIPTION"), None);
    assert!(by_cpv(missing).unavailable().is_some());
    assert_eq!(by_cpv(same_bytes).problem(), None);
    assert!(
        snapshot(&f.depcache()) == before,
        "the depcache was written"
    );
}

#[test]
fn a_changed_eclass_makes_depcache_entries_stale() {
    let f = fixture(&layout_without_cache_formats());
    // nim-utils (GURU's own eclass) is inherited by tridactyl-native (Portage style).
    let tridactyl = guru_entries("www-plugins/tridactyl-native");
    assert!(tridactyl[0].1.inherited().any(|e| e == "nim-utils"));
    let eclass = f.repo().join("eclass/nim-utils.eclass");
    let mut text = std::fs::read_to_string(&eclass).unwrap();
    text.push_str("\n# changed\n");
    std::fs::write(&eclass, text).unwrap();
    let repo = f.open();
    let found = problems(&repo);
    let key = tridactyl[0].0.to_string();
    match &found.get(&key) {
        Some((_, ProblemKind::StaleCacheEntry { reasons })) => assert!(
            reasons.iter().any(
                |r| matches!(r, StaleReason::EclassChanged { name, .. } if name == "nim-utils")
            ),
            "{reasons:?}"
        ),
        other => panic!("{key}: {other:?}"),
    }
}

/// layout.conf `cache-formats = md5-dict` with no md5-cache directory: the repository's
/// own cache is md5-dict (empty), and every version's entry comes from Portage's
/// dependency cache, as Portage's `_pull_valid_cache` moves on when the pregenerated cache
/// has no entry. Without a depcache entry a version is missing, reported with its
/// md5-cache path.
#[test]
fn cache_formats_md5_dict_without_md5_cache_falls_back_per_entry() {
    let f = fixture(&std::fs::read_to_string(guru_dir().join("metadata/layout.conf")).unwrap());
    let before = snapshot(&f.depcache());
    let repo = f.open();
    assert_eq!(repo.metadata_source_kind(), MetadataSourceKind::Md5Dict);
    assert!(repo.metadata_source().has_fallback());
    // The search index (md5-cache entries only) does not describe this repository.
    assert!(repo.search_index().is_err());
    let pkgs = all(&repo, true);
    assert!(pkgs.len() >= 3);
    for p in &pkgs {
        assert!(
            p.get("DESCRIPTION").is_some_and(|d| !d.is_empty()),
            "{}",
            p.cpv()
        );
    }
    assert!(
        snapshot(&f.depcache()) == before,
        "the depcache was written"
    );
    // Without its depcache entry, a version is missing (reported at the md5-cache path).
    let gone = pkgs[0].cpv().to_string();
    std::fs::remove_file(f.repo_depcache().join(&gone)).unwrap();
    let repo = f.open();
    let found = problems(&repo);
    let (path, kind) = &found[&gone];
    assert_eq!(kind, &ProblemKind::MissingCacheEntry);
    assert_eq!(path, &f.repo().join("metadata/md5-cache").join(&gone));
    assert_eq!(found.len(), 1, "{found:?}");
}

/// An empty depcache directory (Portage creates it when it opens the cache) is no
/// fallback: the repository's own md5-cache answers alone, through the search index.
#[test]
fn an_empty_depcache_directory_is_no_fallback() {
    let f = fixture(&std::fs::read_to_string(guru_dir().join("metadata/layout.conf")).unwrap());
    std::fs::remove_dir_all(f.repo_depcache()).unwrap();
    std::fs::create_dir_all(f.repo_depcache()).unwrap();
    let repo = f.open();
    assert!(!repo.metadata_source().has_fallback());
}

#[test]
fn depcache_location_defaults_without_a_domain_setting() {
    let f = fixture(&layout_without_cache_formats());
    let domain = common::domain(&f.config_root(), &f.dir.path().join("root"));
    let cfg = domain.repos.get("overlay").unwrap();
    let repo = EbuildRepo::from_config(cfg, &domain.repos, Some(f.index())).unwrap();
    assert_eq!(repo.metadata_source_kind(), MetadataSourceKind::DepCache);
    let rel = f.repo();
    assert_eq!(
        repo.metadata_source().dir(),
        Path::new(DEFAULT_DEPCACHE_DIR).join(rel.strip_prefix("/").unwrap())
    );
    // GURU itself has an md5-cache (and says so): md5-dict.
    let guru = EbuildRepo::open(guru_dir()).unwrap();
    assert_eq!(guru.metadata_source_kind(), MetadataSourceKind::Md5Dict);
}

/// Writes `metadata/cache` (PMS legacy format: values by line, INHERITED from the
/// md5-cache entry's eclasses, padded to 22 lines) for every fixture package, each file's
/// mtime set to its ebuild's, as Portage's writer does.
fn write_pms_cache(repo: &Path) {
    use strata_cache::flat_list::FLAT_LIST_KEYS;
    for cp in PKGCORE_STYLE.iter().chain(PORTAGE_STYLE) {
        for (key, entry) in guru_entries(cp) {
            let inherited = entry.inherited().collect::<Vec<_>>().join(" ");
            let mut lines: Vec<&str> = FLAT_LIST_KEYS
                .iter()
                .map(|k| match *k {
                    "INHERITED" => inherited.as_str(),
                    k => entry.value(k),
                })
                .collect();
            lines.resize(22, "");
            let rel = format!("metadata/cache/{key}");
            write_file(repo, &rel, &(lines.join("\n") + "\n"));
            let ebuild = strata_cache::ebuild_path(repo, &key).unwrap();
            let mtime = std::fs::metadata(&ebuild).unwrap().modified().unwrap();
            std::fs::File::options()
                .write(true)
                .open(repo.join(&rel))
                .unwrap()
                .set_modified(mtime)
                .unwrap();
        }
    }
}

#[test]
fn a_pms_metadata_cache_is_read_when_present_or_named() {
    for layout in [
        layout_without_cache_formats(),
        layout_without_cache_formats() + "cache-formats = pms md5-dict\n",
    ] {
        let f = fixture(&layout);
        write_pms_cache(&f.repo());
        // Removing the depcache shows the metadata comes from metadata/cache.
        std::fs::remove_dir_all(f.depcache()).unwrap();
        let touched = guru_entries("www-plugins/tridactyl-native")[0].0.clone();
        set_mtime_secs(
            &strata_cache::ebuild_path(&f.repo(), &touched).unwrap(),
            1_000_000_000,
        );
        let repo = f.open();
        assert_eq!(repo.metadata_source_kind(), MetadataSourceKind::Pms);
        let pkgs = all(&repo, true);
        let mut n = 0;
        for cp in PKGCORE_STYLE.iter().chain(PORTAGE_STYLE) {
            for (key, entry) in guru_entries(cp) {
                let p = pkgs
                    .iter()
                    .find(|p| p.cpv().to_string() == key.to_string())
                    .unwrap();
                for k in [
                    "DESCRIPTION",
                    "SLOT",
                    "EAPI",
                    "RDEPEND",
                    "IDEPEND",
                    "KEYWORDS",
                ] {
                    assert_eq!(p.get(k), entry.get(k), "{key} {k}");
                }
                n += 1;
            }
        }
        assert_eq!(pkgs.len(), n);
        let found = problems(&repo);
        assert_eq!(found.len(), 1, "{found:?}");
        match &found[&touched.to_string()] {
            (path, ProblemKind::StaleCacheEntry { reasons }) => {
                assert_eq!(
                    path,
                    &f.repo().join("metadata/cache").join(touched.to_string())
                );
                assert!(
                    matches!(reasons[..], [StaleReason::EbuildMtime { .. }]),
                    "{reasons:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_metadata_source_follows_layout_conf_then_the_directories() {
    use strata_config::layout::LayoutConf;
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    let layout = |text: &str| LayoutConf::parse(text, Path::new("layout.conf"), &mut Vec::new());
    let pick = |text: &str| MetadataSourceKind::select(repo, &layout(text));
    // Nothing: the dependency cache.
    assert_eq!(pick(""), MetadataSourceKind::DepCache);
    // Directories, md5-cache first.
    std::fs::create_dir_all(repo.join("metadata/cache")).unwrap();
    assert_eq!(pick(""), MetadataSourceKind::Pms);
    std::fs::create_dir_all(repo.join("metadata/md5-cache")).unwrap();
    assert_eq!(pick(""), MetadataSourceKind::Md5Dict);
    // cache-formats: the first known format named, whatever exists.
    assert_eq!(
        pick("cache-formats = pms md5-dict"),
        MetadataSourceKind::Pms
    );
    assert_eq!(
        pick("cache-formats = foo MD5-DICT pms"),
        MetadataSourceKind::Md5Dict
    );
    assert_eq!(pick("cache-formats = foo"), MetadataSourceKind::DepCache);
    std::fs::remove_dir_all(repo.join("metadata")).unwrap();
    assert_eq!(
        pick("cache-formats = md5-dict"),
        MetadataSourceKind::Md5Dict
    );
    assert_eq!(MetadataSourceKind::Pms.name(), "pms");
}

/// A repository with its own md5-cache consults Portage's dependency cache per entry, as
/// Portage's `_pull_valid_cache` does: a version without an md5-cache entry, or whose
/// md5-cache entry is stale while the depcache's is valid, takes the depcache's entry; a
/// valid md5-cache entry wins; with no valid entry anywhere the stale md5-cache entry is
/// used and reported. The search index is not used for such a repository (it only holds
/// md5-cache entries), and nothing is written.
#[test]
fn own_cache_falls_back_to_the_depcache_per_entry() {
    let f = fixture(&std::fs::read_to_string(guru_dir().join("metadata/layout.conf")).unwrap());
    let repo_dir = f.repo();
    let dep = f.repo_depcache();
    // The overlay's own md5-cache: GURU's entries, but none for tridactyl-native-0.5.0.
    let eclasses = EclassPath::for_repo(&repo_dir, &[gentoo_stub_dir()]).unwrap();
    let mut versions = Vec::new();
    for cp in PKGCORE_STYLE.iter().chain(PORTAGE_STYLE) {
        for (key, entry) in guru_entries(cp) {
            let text = std::fs::read_to_string(
                guru_dir().join("metadata/md5-cache").join(key.to_string()),
            )
            .unwrap();
            versions.push((key.clone(), entry));
            if key.to_string() != "www-plugins/tridactyl-native-0.5.0" {
                write_file(&repo_dir, &format!("metadata/md5-cache/{key}"), &text);
            }
        }
    }
    // Depcache entries that say where they came from.
    let from_depcache = |key: &EntryKey, entry: &CacheEntry, ebuild_md5: Option<String>| {
        let mut e = portage_style(entry, &eclasses);
        e.set("DESCRIPTION", format!("from the depcache: {key}"))
            .unwrap();
        if let Some(md5) = ebuild_md5 {
            e.set("_md5_", md5).unwrap();
        }
        write_file(
            &dep,
            &key.to_string(),
            &write_flat_hash_entry(key, &e).unwrap(),
        );
    };
    for (key, entry) in &versions {
        from_depcache(key, entry, None);
    }
    // blocky-0-r1: edited in place, so its md5-cache entry is stale; the depcache entry
    // was regenerated for the edited ebuild.
    let blocky = versions
        .iter()
        .find(|(k, _)| k.to_string().starts_with("acct-group/blocky-"))
        .unwrap()
        .clone();
    let blocky_ebuild = strata_cache::ebuild_path(&repo_dir, &blocky.0).unwrap();
    let mut text = std::fs::read_to_string(&blocky_ebuild).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&blocky_ebuild, text).unwrap();
    from_depcache(
        &blocky.0,
        &blocky.1,
        Some(strata_cache::md5_file(&blocky_ebuild).unwrap()),
    );

    let mut before = snapshot(&f.depcache());
    let repo = f.open();
    assert_eq!(repo.metadata_source_kind(), MetadataSourceKind::Md5Dict);
    assert!(repo.metadata_source().has_fallback());
    let description = |cpv: &str| -> String {
        let pkgs = all(&repo, true);
        let p = pkgs
            .iter()
            .find(|p| p.cpv().to_string() == cpv)
            .unwrap_or_else(|| panic!("{cpv} not listed"));
        p.get("DESCRIPTION").unwrap().to_owned()
    };
    // Missing from the md5-cache: the depcache's.
    assert_eq!(
        description("www-plugins/tridactyl-native-0.5.0"),
        "from the depcache: www-plugins/tridactyl-native-0.5.0"
    );
    // Stale in the md5-cache, valid in the depcache: the depcache's.
    let blocky_cpv = blocky.0.to_string();
    assert_eq!(
        description(&blocky_cpv),
        format!("from the depcache: {blocky_cpv}")
    );
    // Valid in the md5-cache: its own (GURU's) description.
    let (other_key, other_entry) = versions
        .iter()
        .find(|(k, _)| k.to_string().starts_with("www-plugins/firefoxpwa-"))
        .unwrap();
    assert_eq!(
        description(&other_key.to_string()),
        other_entry.get("DESCRIPTION").unwrap()
    );
    assert!(problems(&repo).is_empty(), "{:?}", problems(&repo));
    assert!(
        snapshot(&f.depcache()) == before,
        "the depcache was written"
    );

    // Without a valid depcache entry, the stale md5-cache entry is used and reported.
    std::fs::remove_file(dep.join(blocky.0.to_string())).unwrap();
    before = snapshot(&f.depcache());
    let repo = f.open();
    assert_eq!(
        description(&blocky_cpv),
        blocky.1.get("DESCRIPTION").unwrap()
    );
    let found = problems(&repo);
    let (path, kind) = found.get(&blocky_cpv).unwrap();
    assert!(
        matches!(kind, ProblemKind::StaleCacheEntry { .. }),
        "{kind:?}"
    );
    assert_eq!(path, &repo_dir.join("metadata/md5-cache").join(&blocky_cpv));
    assert!(
        snapshot(&f.depcache()) == before,
        "the depcache was written"
    );
}
