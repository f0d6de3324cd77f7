//! Binary packages: XPAK, GPKG, the Packages index, multi-instance PKGDIR, the binary repository and gc
