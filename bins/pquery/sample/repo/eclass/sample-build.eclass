# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: sample-build.eclass
# @MAINTAINER:
# sample@example.org
# @BLURB: builds sample packages with the toy compiler

inherit sample-utils

BDEPEND="dev-lang/toy"

sample-build_src_compile() {
	sample_msg "building ${P}"
	toyc -o "${PN}" src/*.toy || die
}

EXPORT_FUNCTIONS src_compile
