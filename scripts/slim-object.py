#!/usr/bin/env python3
"""Makes a relocatable ELF64 object (the one object of a slimmed static
library, see scripts/slim-archive.sh) smaller without changing what a link
of it produces:

1. Relocations against local symbols become relocations against the
   symbol's section plus an addend (what an assembler does for local
   labels), for the relocation types that only use the symbol's address,
   so that `objcopy --strip-unneeded` can then drop those symbols and their
   (long, mangled) names: a program or shared object linked with the
   archive would otherwise copy them all into its own symbol table.
   Kept: GOT and TLS relocations (they need the symbol itself), symbols in
   mergeable sections (an addend there could name a different merged
   string), TLS and IFUNC symbols.
2. The local symbols that stay (those GOT, TLS and mergeable-section
   relocations name) lose their names, but for `.L` labels (which linkers
   drop in mergeable sections) and mapping symbols (`$x`, `$d`: code or
   data, which linkers and disassemblers of Arm code read): a name only serves a reader, and most of
   the functions have no symbol left anyway (the shared library is
   stripped too; its debug info is in the -dbgsym package).
3. R_X86_64_NONE relocations go (ld -r --gc-sections leaves one for each
   reference from .eh_frame to a section it dropped).
4. Per-function section names (`.text._ZN...`, `.rodata..L...`) become the
   plain names (`.text`, `.rodata`...): ELF allows many sections of one
   name, each stays a section (so a consumer's --gc-sections still drops
   the parts it does not reach), and the linkers' rules place them exactly
   where the long names went (`.text.unlikely.*` stays `.text.unlikely`...).

   slim-object.py IN.o OUT.o

x86-64 only for (1) and (3) (other machines keep their symbols and
relocations); (2) and (4) for any ELF64 little-endian relocatable object.
"""
import struct
import sys

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
RELA = struct.Struct("<QQq")

SHT_SYMTAB, SHT_RELA, SHT_NOBITS, SHT_GROUP, SHT_SYMTAB_SHNDX = 2, 4, 8, 17, 18
SHF_MERGE = 0x10
STB_LOCAL = 0
STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_SECTION = 0, 1, 2, 3
SHN_LORESERVE = 0xFF00
EM_X86_64 = 62
# x86-64 relocations computed from the symbol's address only: R_X86_64_64,
# PC32, PLT32 (a call; against a local target it is a direct call), 32, 32S,
# 16, PC16, 8, PC8, PC64.
X86_64_ADJUSTABLE = {1, 2, 4, 10, 11, 12, 13, 14, 15, 24}

# Plain names for per-function sections, longest prefix first: the names
# the GNU and LLVM linkers' default placement rules know.
PLAIN = [
    ".text.unlikely.", ".text.hot.", ".text.startup.", ".text.exit.", ".text.split.", ".text.",
    ".data.rel.ro.local.", ".data.rel.ro.", ".data.rel.local.", ".data.rel.", ".rodata.", ".data.",
    ".bss.", ".tdata.", ".tbss.", ".gcc_except_table.",
]


def plain_name(name):
    if name.startswith(".rela."):
        return ".rela" + plain_name(name[5:])
    for p in PLAIN:
        if name.startswith(p):
            return p[:-1]
    return name


def cstr(buf, off):
    return buf[off:buf.index(b"\0", off)].decode()


def main(src, dst):
    data = bytearray(open(src, "rb").read())
    eh = list(EHDR.unpack_from(data, 0))
    ident, e_type, machine = eh[0], eh[1], eh[2]
    if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1 or e_type != 1:
        sys.exit(f"slim-object: {src} is not a little-endian ELF64 relocatable object")
    shoff, shnum, shstrndx = eh[6], eh[12], eh[13]
    if shnum == 0 or shstrndx >= SHN_LORESERVE:
        sys.exit(f"slim-object: {src}: extended section numbering is not supported")
    shdrs = [list(SHDR.unpack_from(data, shoff + i * SHDR.size)) for i in range(shnum)]
    if any(s[1] in (SHT_GROUP, SHT_SYMTAB_SHNDX) for s in shdrs):
        sys.exit(f"slim-object: {src}: section groups or SHT_SYMTAB_SHNDX are not supported")
    contents = [bytearray(data[s[4]:s[4] + s[5]]) if s[1] != SHT_NOBITS else bytearray() for s in shdrs]
    shstr = bytes(contents[shstrndx])
    names = [cstr(shstr, s[0]) for s in shdrs]

    symtabs = [i for i, s in enumerate(shdrs) if s[1] == SHT_SYMTAB]
    if len(symtabs) != 1:
        sys.exit(f"slim-object: {src}: expected one symbol table")
    symtab = contents[symtabs[0]]
    strtab = bytes(contents[shdrs[symtabs[0]][6]])
    syms = [SYM.unpack_from(symtab, o) for o in range(0, len(symtab), SYM.size)]
    converted = kept = dropped = 0
    if machine == EM_X86_64:
        section_sym = {}
        for i, (_, info, _, shndx, _, _) in enumerate(syms):
            if info & 0xF == STT_SECTION and info >> 4 == STB_LOCAL:
                section_sym.setdefault(shndx, i)
        for ri, rs in enumerate(shdrs):
            if rs[1] != SHT_RELA or rs[6] != symtabs[0]:
                continue
            rel = contents[ri]
            for o in range(0, len(rel), RELA.size):
                off, info, addend = RELA.unpack_from(rel, o)
                si, rtype = info >> 32, info & 0xFFFFFFFF
                if si == 0:
                    continue
                _, sinfo, _, shndx, value, _ = syms[si]
                if sinfo >> 4 != STB_LOCAL or sinfo & 0xF not in (STT_NOTYPE, STT_OBJECT, STT_FUNC):
                    continue
                if (rtype not in X86_64_ADJUSTABLE or not 0 < shndx < SHN_LORESERVE
                        or shdrs[shndx][2] & SHF_MERGE or shndx not in section_sym):
                    kept += 1
                    continue
                RELA.pack_into(rel, o, off, (section_sym[shndx] << 32) | rtype, addend + value)
                converted += 1
            # R_X86_64_NONE (0) does nothing
            live = [rel[o:o + RELA.size] for o in range(0, len(rel), RELA.size)
                    if RELA.unpack_from(rel, o)[1] & 0xFFFFFFFF != 0]
            dropped += len(rel) // RELA.size - len(live)
            contents[ri] = bytearray(b"".join(live))
            rs[5] = len(contents[ri])

    anonymous = 0
    for i, (name, info, other, shndx, value, size) in enumerate(syms):
        if (name and info >> 4 == STB_LOCAL and info & 0xF in (STT_NOTYPE, STT_OBJECT, STT_FUNC)
                and not strtab.startswith(b".L", name) and not strtab.startswith(b"$", name)):
            SYM.pack_into(symtab, i * SYM.size, 0, info, other, shndx, value, size)
            anonymous += 1

    # section names: a new, small string table
    table = bytearray(b"\0")
    index = {}
    for i, s in enumerate(shdrs):
        n = plain_name(names[i]) if i else ""
        if n not in index:
            index[n] = len(table) if n else 0
            if n:
                table += n.encode() + b"\0"
        s[0] = index[n]
    contents[shstrndx] = table
    shdrs[shstrndx][5] = len(table)

    # write: header, section contents in order, section headers
    out = bytearray(EHDR.size)
    for i, s in enumerate(shdrs):
        if i == 0 or s[1] == SHT_NOBITS:
            continue
        align = max(s[8], 1)
        out += b"\0" * (-len(out) % align)
        s[4] = len(out)
        out += contents[i]
    out += b"\0" * (-len(out) % 8)
    eh[6] = len(out)
    for s in shdrs:
        out += SHDR.pack(*s)
    EHDR.pack_into(out, 0, *eh)
    open(dst, "wb").write(out)
    print(f"slim-object: {converted} relocations made section-relative, {kept} kept on local symbols, "
          f"{dropped} empty ones dropped; {anonymous} local symbols without a name; "
          f"{len(index) - 1} section names for {shnum - 1} sections")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
