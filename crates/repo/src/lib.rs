//! The repository protocol and its implementations: ebuild trees, the installed-package database, stacking
