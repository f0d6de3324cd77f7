#!/usr/bin/env python3
"""Regenerates metadata/md5-cache of the sample repository from its ebuilds.

The sample's ebuilds use only plain `KEY="value"` assignments (with ${P}, ${PN}, ${PV},
${PVR}, ${PF} and earlier variables expanded), `inherit` lines, phase functions and
eclasses with EXPORT_FUNCTIONS, so they can be read without bash. Eclass contributions
to the incremental variables are appended after the ebuild's, as Portage does. Run it
after editing an ebuild or an eclass:  python3 update-md5-cache.py
"""
import hashlib
import os
import re
import sys

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "repo")
KEYS = ["BDEPEND", "DEFINED_PHASES", "DEPEND", "DESCRIPTION", "EAPI", "HOMEPAGE",
        "IDEPEND", "INHERIT", "IUSE", "KEYWORDS", "LICENSE", "PDEPEND", "PROPERTIES",
        "RDEPEND", "REQUIRED_USE", "RESTRICT", "SLOT", "SRC_URI"]
INCREMENTAL = ["IUSE", "REQUIRED_USE", "DEPEND", "RDEPEND", "PDEPEND", "BDEPEND",
               "IDEPEND", "PROPERTIES", "RESTRICT"]
PHASES = ["pkg_pretend", "pkg_setup", "src_unpack", "src_prepare", "src_configure",
          "src_compile", "src_test", "src_install", "pkg_preinst", "pkg_postinst",
          "pkg_prerm", "pkg_postrm", "pkg_config", "pkg_info", "pkg_nofetch"]
PHASE_SHORT = {p: p.split("_", 1)[1] for p in PHASES}
ASSIGN = re.compile(r'^([A-Z_][A-Z0-9_]*)="(.*?)"\s*$|^([A-Z_][A-Z0-9_]*)=(\S*)\s*$', re.S)


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def expand(value, env):
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
                  lambda m: env.get(m.group(1) or m.group(2), ""), value)


def parse(text, env):
    """Assignments, inherits and defined functions of a file."""
    assigns, inherits, funcs, exported = [], [], [], []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith("#") or not s:
            i += 1
            continue
        m = re.match(r'^([A-Z_][A-Z0-9_]*)="(.*)$', line)
        if m:
            name, rest = m.group(1), m.group(2)
            buf = rest
            while not buf.rstrip().endswith('"'):
                i += 1
                buf += "\n" + lines[i]
            value = buf.rstrip()[:-1]
            value = expand(value, env)
            env[name] = value
            assigns.append((name, value))
        elif re.match(r"^([A-Z_][A-Z0-9_]*)=(\S+)$", line):
            name, value = line.split("=", 1)
            env[name] = expand(value, env)
            assigns.append((name, env[name]))
        elif s.startswith("inherit "):
            inherits.extend(s.split()[1:])
        elif s.startswith("EXPORT_FUNCTIONS "):
            exported.extend(s.split()[1:])
        else:
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_-]*)\(\)\s*\{", line)
            if m:
                funcs.append(m.group(1))
        i += 1
    return assigns, inherits, funcs, exported


def load_eclass(name, state):
    if name in state["seen"]:
        return
    state["seen"].append(name)
    path = os.path.join(REPO, "eclass", name + ".eclass")
    state["eclasses"].append((name, md5(path)))
    env = dict(state["env"])
    for k in INCREMENTAL:
        env.pop(k, None)
    assigns, inherits, funcs, exported = parse(open(path).read(), env)
    for e in inherits:
        load_eclass(e, state)
    for k, v in assigns:
        if k in INCREMENTAL:
            state["extra"].setdefault(k, []).append(v)
        else:
            state["defaults"][k] = v
    for p in exported:
        if p in PHASE_SHORT:
            state["phases"].add(PHASE_SHORT[p])


def entry(cat, pn, ebuild):
    pf = os.path.basename(ebuild)[:-len(".ebuild")]
    m = re.match(r"^(.*?)(-r(\d+))?$", pf[len(pn) + 1:])
    pv, pr = m.group(1), "r" + (m.group(3) or "0")
    env = {"P": f"{pn}-{pv}", "PN": pn, "PV": pv, "PF": pf, "PR": pr,
           "PVR": pv + (f"-{pr}" if m.group(3) else ""), "CATEGORY": cat}
    text = open(ebuild).read()
    state = {"seen": [], "eclasses": [], "extra": {}, "defaults": {}, "phases": set(), "env": env}
    _, inherits, _, _ = parse(text, dict(env))
    for e in inherits:
        load_eclass(e, state)
    env2 = dict(env)
    assigns, _, funcs, _ = parse(text, env2)
    meta = dict(state["defaults"])
    for k, v in assigns:
        meta[k] = v
    for k, vals in state["extra"].items():
        meta[k] = " ".join([meta.get(k, "")] + vals)
    for f in funcs:
        if f in PHASE_SHORT:
            state["phases"].add(PHASE_SHORT[f])
    meta["DEFINED_PHASES"] = " ".join(sorted(state["phases"])) or "-"
    meta["INHERIT"] = " ".join(inherits)
    out = []
    for k in KEYS:
        v = " ".join(meta.get(k, "").split())
        if v:
            out.append(f"{k}={v}")
    if state["eclasses"]:
        out.append("_eclasses_=" + "\t".join(f"{n}\t{h}" for n, h in sorted(state["eclasses"])))
    out.append(f"_md5_={md5(ebuild)}")
    return pf, "\n".join(out) + "\n"


def main():
    cache = os.path.join(REPO, "metadata", "md5-cache")
    written = 0
    for cat in sorted(open(os.path.join(REPO, "profiles", "categories")).read().split()):
        cdir = os.path.join(REPO, cat)
        if not os.path.isdir(cdir):
            continue
        for pn in sorted(os.listdir(cdir)):
            for f in sorted(os.listdir(os.path.join(cdir, pn))):
                if f.endswith(".ebuild"):
                    pf, text = entry(cat, pn, os.path.join(cdir, pn, f))
                    os.makedirs(os.path.join(cache, cat), exist_ok=True)
                    with open(os.path.join(cache, cat, pf), "w") as out:
                        out.write(text)
                    written += 1
    print(f"wrote {written} cache entries", file=sys.stderr)


if __name__ == "__main__":
    main()
