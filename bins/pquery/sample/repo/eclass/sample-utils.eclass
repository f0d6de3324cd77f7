# Copyright 2026 strata sample
# Distributed under the terms of the GNU General Public License v2

# @ECLASS: sample-utils.eclass
# @MAINTAINER:
# sample@example.org
# @BLURB: small helpers for the sample repository

sample_msg() {
	echo ">>> ${*}"
}
