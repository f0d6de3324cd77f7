# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

EAPI=7

DESCRIPTION="Python bindings for the toy language"
HOMEPAGE="https://example.org/pytoy/ https://pypi.org/project/pytoy/"
SRC_URI="https://files.example.org/pytoy-0.9.tar.gz -> ${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="~amd64"
IUSE="test"
REQUIRED_USE="test? ( python_targets_python3_12 )"
IUSE="${IUSE} python_targets_python3_12 python_targets_python3_13"

RDEPEND="
	>=dev-lang/toy-1.1:0
	|| ( dev-libs/libfoo:2 dev-libs/libfoo:0 )
"
DEPEND="${RDEPEND}"
