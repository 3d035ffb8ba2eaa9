#!/usr/bin/env python3
"""Extract the WASI preview1 ABI facts from wasi-libc's <wasi/api.h>.

Usage: extract_api_h.py [PATH_TO_API_H] > crates/gen/tests/data/preview1_api_h.txt

PATH_TO_API_H defaults to /usr/include/wasm32-wasi/wasi/api.h (Debian package
wasi-libc). Only the Python standard library is used.

The output is a plain-text table, one fact per line, tokens separated by single
spaces. Lines starting with '#' are comments. Type names are given WITHOUT the
`__wasi_` prefix and `_t` suffix (`__wasi_filestat_t` -> `filestat`); C
builtin types (`int8_t`, `void*`, ...) keep their C spelling. Line forms:

  size TYPE N               sizeof(TYPE) == N          (from a _Static_assert)
  align TYPE N              _Alignof(TYPE) == N        (from a _Static_assert)
  offset TYPE FIELD N       offsetof(TYPE, FIELD) == N (from a _Static_assert)
  typedef TYPE CTYPE        `typedef CTYPE __wasi_TYPE_t;` for a scalar
                            typedef; CTYPE is the C type as written, e.g.
                            uint16_t, int, __SIZE_TYPE__
  typedef TYPE struct       a plain struct
  typedef TYPE variant      a tagged union: a struct of exactly `tag` and a
                            union `u` (the union `TYPE_u` itself is not listed
                            as a type, its members become `case` lines)
  field TYPE INDEX NAME CTYPE
                            member number INDEX (from 0) of struct TYPE;
                            CTYPE is a type name as above, or `ptr:T` /
                            `const_ptr:T` for `T *` / `const T *`
  tag TYPE CTYPE            C type of the tag of variant TYPE
  case TYPE INDEX NAME PAYLOAD
                            union member number INDEX of variant TYPE;
                            PAYLOAD is the member's type name
  const TYPE NAME VALUE     `#define __WASI_<TYPE>_<NAME> (UINTn_C(VALUE))`,
                            an enum case value or a plain constant; TYPE is
                            the typedef whose upper-cased name prefixes NAME
  flag TYPE NAME VALUE      `#define __WASI_<TYPE>_<NAME> ((__wasi_TYPE_t)(1 << b))`
                            with VALUE = 1 << b written in decimal
  func NAME params P... results R...
                            the wasm-level import `wasi_snapshot_preview1.NAME`
                            derived from the `__wasi_NAME` C prototype: each
                            parameter becomes i32 or i64, except that a
                            `const char *` string becomes `i32 i32`
                            (pointer, length: the C wrapper passes strlen);
                            out-pointers (`*retptrN`) stay i32 parameters;
                            an `__wasi_errno_t` return becomes result i32, a
                            `_Noreturn void` function has no results and is
                            followed by a line `noreturn NAME`
  noreturn NAME             function NAME never returns
"""

import re
import sys

DEFAULT_PATH = "/usr/include/wasm32-wasi/wasi/api.h"

INT64_TYPES = {"uint64_t", "int64_t"}
SCALAR_C_TYPES = {
    "int8_t",
    "uint8_t",
    "int16_t",
    "uint16_t",
    "int32_t",
    "uint32_t",
    "int64_t",
    "uint64_t",
    "int",
    "__SIZE_TYPE__",
    "size_t",
}


def fail(msg):
    sys.stderr.write("extract_api_h.py: " + msg + "\n")
    sys.exit(1)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return text


def short(ctype):
    """`__wasi_foo_t` -> `foo`; other spellings are returned unchanged."""
    ctype = ctype.strip()
    m = re.fullmatch(r"__wasi_(\w+)_t", ctype)
    return m.group(1) if m else ctype.replace(" ", "")


def type_token(ctype):
    """A C type as one table token: `const uint8_t *` -> `const_ptr:uint8_t`."""
    ctype = norm_ctype(ctype)
    if ctype.endswith("*"):
        inner = ctype[:-1].strip()
        if inner.startswith("const "):
            return "const_ptr:" + type_token(inner[len("const ") :])
        return "ptr:" + type_token(inner)
    return short(ctype)


def norm_ctype(ctype):
    """Normalise whitespace and pointer stars: `uint8_t * *` -> `uint8_t**`."""
    ctype = " ".join(ctype.split())
    ctype = re.sub(r"\s*\*\s*", "*", ctype)
    return ctype


def split_decl(decl):
    """Split a C declaration `TYPE NAME` into (type, name)."""
    decl = " ".join(decl.split())
    m = re.fullmatch(r"(.*?[\s*])(\w+)", decl)
    if not m:
        fail("cannot parse declaration: %r" % decl)
    return norm_ctype(m.group(1)), m.group(2)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    text = strip_comments(raw)

    out = []
    out.append("# WASI preview1 ABI facts extracted by tests/tools/extract_api_h.py")
    out.append("# from wasi-libc's wasi/api.h; see that script for the line forms.")

    # Pass 1: every typedef name (needed to split #define names into type and
    # constant, since some constants precede their typedef).
    scalar_typedefs = {}
    for m in re.finditer(r"typedef\s+([\w\s]+?)\s+__wasi_(\w+)_t\s*;", text):
        scalar_typedefs[m.group(2)] = m.group(1).strip()
    aggregate = {}
    agg_re = re.compile(
        r"typedef\s+(struct|union)\s+__wasi_(\w+)_t\s*\{(.*?)\}\s*__wasi_(\w+)_t\s*;", re.S
    )
    for m in agg_re.finditer(text):
        if m.group(2) != m.group(4):
            fail("typedef name mismatch: %s vs %s" % (m.group(2), m.group(4)))
        fields = []
        for decl in m.group(3).split(";"):
            if decl.strip():
                fields.append(split_decl(decl))
        aggregate[m.group(2)] = (m.group(1), fields)
    all_types = set(scalar_typedefs) | set(aggregate)

    def define_type(name):
        best = None
        for t in all_types:
            prefix = t.upper() + "_"
            if name.startswith(prefix) and (best is None or len(t) > len(best)):
                best = t
        if best is None:
            fail("no typedef matches #define __WASI_%s" % name)
        return best, name[len(best) + 1 :]

    def wasm_kinds(ctype):
        ctype = norm_ctype(ctype)
        if "*" in ctype:
            base = ctype.replace("const", "").replace("*", "").strip()
            if ctype.startswith("const") and base == "char" and ctype.count("*") == 1:
                return ["i32", "i32"]
            return ["i32"]
        seen = set()
        while True:
            if ctype in INT64_TYPES:
                return ["i64"]
            if ctype in SCALAR_C_TYPES:
                return ["i32"]
            s = short(ctype)
            if s in scalar_typedefs and s not in seen:
                seen.add(s)
                ctype = scalar_typedefs[s]
                continue
            fail("cannot lower C type %r to a wasm type" % ctype)

    # Pass 2: walk the file in order and emit facts.
    item_re = re.compile(
        r"(?P<assert>_Static_assert\s*\((?P<acond>.*?),\s*\"[^\"]*\"\s*\)\s*;)"
        r"|(?P<define>#define\s+__WASI_(?P<dname>\w+)\s+(?P<dval>[^\n]+))"
        r"|(?P<agg>typedef\s+(?:struct|union)\s+__wasi_(?P<aname>\w+)_t\s*\{.*?\}\s*__wasi_\w+_t\s*;)"
        r"|(?P<scalar>typedef\s+(?P<sctype>[\w\s]+?)\s+__wasi_(?P<sname>\w+)_t\s*;)"
        r"|(?P<func>(?P<ret>__wasi_errno_t|_Noreturn\s+void)\s+__wasi_(?P<fname>\w+)\s*\((?P<fparams>[^)]*)\))",
        re.S,
    )
    counts = {"func": 0, "assert": 0}
    for m in item_re.finditer(text):
        if m.group("assert"):
            cond = " ".join(m.group("acond").split())
            counts["assert"] += 1
            mm = re.fullmatch(r"sizeof\((.+?)\) == (\d+)", cond)
            if mm:
                out.append("size %s %s" % (short(mm.group(1)), mm.group(2)))
                continue
            mm = re.fullmatch(r"_Alignof\((.+?)\) == (\d+)", cond)
            if mm:
                out.append("align %s %s" % (short(mm.group(1)), mm.group(2)))
                continue
            mm = re.fullmatch(r"offsetof\((.+?), (\w+)\) == (\d+)", cond)
            if mm:
                out.append("offset %s %s %s" % (short(mm.group(1)), mm.group(2), mm.group(3)))
                continue
            fail("unrecognised _Static_assert: %r" % cond)
        elif m.group("define"):
            name, val = m.group("dname"), m.group("dval").strip()
            mm = re.fullmatch(r"\(UINT(?:8|16|32|64)_C\((\d+)\)\)", val)
            if mm:
                ty, cname = define_type(name)
                out.append("const %s %s %s" % (ty, cname, mm.group(1)))
                continue
            mm = re.fullmatch(r"\(\(__wasi_(\w+)_t\)\(1 << (\d+)\)\)", val)
            if mm:
                ty = mm.group(1)
                if not name.startswith(ty.upper() + "_"):
                    fail("flag %s does not start with its type %s" % (name, ty))
                out.append("flag %s %s %d" % (ty, name[len(ty) + 1 :], 1 << int(mm.group(2))))
                continue
            fail("unrecognised #define __WASI_%s %s" % (name, val))
        elif m.group("agg"):
            name = m.group("aname")
            kind, fields = aggregate[name]
            if kind == "union":
                owner = re.sub(r"_u$", "", name)
                for i, (ctype, fname) in enumerate(fields):
                    out.append("case %s %d %s %s" % (owner, i, fname, type_token(ctype)))
                continue
            names = [f for _, f in fields]
            if names == ["tag", "u"] and aggregate.get(short(fields[1][0]), ("",))[0] == "union":
                out.append("typedef %s variant" % name)
                out.append("tag %s %s" % (name, type_token(fields[0][0])))
                continue
            out.append("typedef %s struct" % name)
            for i, (ctype, fname) in enumerate(fields):
                out.append("field %s %d %s %s" % (name, i, fname, type_token(ctype)))
        elif m.group("scalar"):
            ctype = " ".join(m.group("sctype").split())
            out.append("typedef %s %s" % (m.group("sname"), ctype.replace(" ", "_")))
        elif m.group("func"):
            name = m.group("fname")
            params = " ".join(m.group("fparams").split())
            kinds = []
            if params and params != "void":
                for p in params.split(","):
                    ctype, _ = split_decl(p)
                    kinds.extend(wasm_kinds(ctype))
            noreturn = m.group("ret") != "__wasi_errno_t"
            results = [] if noreturn else ["i32"]
            line = "func %s params" % name
            if kinds:
                line += " " + " ".join(kinds)
            line += " results"
            if results:
                line += " " + " ".join(results)
            out.append(line)
            if noreturn:
                out.append("noreturn %s" % name)
            counts["func"] += 1

    if counts["func"] == 0 or counts["assert"] == 0:
        fail("nothing extracted from %s; is it wasi/api.h?" % path)
    total_asserts = len(re.findall(r"_Static_assert", text))
    if total_asserts != counts["assert"]:
        fail("parsed %d of %d _Static_asserts" % (counts["assert"], total_asserts))
    total_defines = len(re.findall(r"#define\s+__WASI_", text))
    emitted = sum(1 for l in out if l.startswith(("const ", "flag ")))
    if total_defines != emitted:
        fail("parsed %d of %d __WASI_ defines" % (emitted, total_defines))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
