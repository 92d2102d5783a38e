//! The generator of the jute records and their allocate/deallocate
//! functions, from the record table `src/proto/zookeeper.jute` (upstream's
//! syntax; the file's header comment says what it accepts). Run by
//! build.rs; [`records_rs`] gives `src/proto/jute.rs`, [`memory_rs`]
//! `src/ffi/memory/records.rs`.

use std::collections::HashSet;
use std::fmt::Write;

/// A field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    Int,
    Long,
    Str,
    Buffer,
    Vector(Box<Type>),
    Record(String),
}

#[derive(Debug)]
pub struct Field {
    pub ty: Type,
    pub name: String,
}

/// A record or a vector type, with its `///` and `#[...]` lines.
#[derive(Debug, Default)]
pub struct Decl {
    pub docs: Vec<String>,
    pub attrs: Vec<String>,
}

#[derive(Debug)]
pub struct Record {
    pub name: String,
    pub decl: Decl,
    pub fields: Vec<Field>,
}

#[derive(Debug)]
pub struct Vector {
    pub elem: Type,
    pub decl: Decl,
}

#[derive(Debug, Default)]
pub struct Table {
    /// In the order of their functions.
    pub vectors: Vec<Vector>,
    /// In the order of the table.
    pub records: Vec<Record>,
}

fn parse_type(s: &str) -> Result<Type, String> {
    Ok(match s {
        "int" | "boolean" => Type::Int,
        "long" => Type::Long,
        "ustring" => Type::Str,
        "buffer" => Type::Buffer,
        _ => {
            if let Some(e) = s.strip_prefix("vector<").and_then(|e| e.strip_suffix('>')) {
                Type::Vector(Box::new(parse_type(e)?))
            } else if !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')) {
                // A record, by its name (a module prefix is only upstream's spelling).
                Type::Record(s.rsplit('.').next().unwrap().to_string())
            } else {
                return Err(format!("unknown type `{s}`"));
            }
        }
    })
}

/// Reads the table (see the header comment of `src/proto/zookeeper.jute`).
pub fn parse(text: &str) -> Result<Table, String> {
    let mut t = Table::default();
    let mut pending = Decl::default();
    let mut open: Option<Record> = None;
    for (n, raw) in text.lines().enumerate() {
        let err = |m: String| format!("zookeeper.jute:{}: {m}", n + 1);
        let line = raw.trim();
        if let Some(d) = line.strip_prefix("///") {
            pending.docs.push(d.strip_prefix(' ').unwrap_or(d).to_string());
        } else if line.starts_with("#[") {
            pending.attrs.push(line.to_string());
        } else if line.is_empty() || line.starts_with("//") {
            continue;
        } else if let Some(v) = line.strip_suffix(';').filter(|l| l.starts_with("vector<") && open.is_none()) {
            let Type::Vector(elem) = parse_type(v).map_err(err)? else { return Err(err(format!("`{v}` is not a vector"))) };
            t.vectors.push(Vector { elem: *elem, decl: std::mem::take(&mut pending) });
        } else if let Some(name) = line.strip_prefix("class ").and_then(|l| l.strip_suffix('{')) {
            if open.is_some() {
                return Err(err("a class inside a class".into()));
            }
            open = Some(Record { name: name.trim().to_string(), decl: std::mem::take(&mut pending), fields: Vec::new() });
        } else if line.starts_with("module ") && line.ends_with('{') {
            continue;
        } else if line == "}" {
            if let Some(r) = open.take() {
                t.records.push(r);
            }
        } else if let (Some(r), Some(f)) = (open.as_mut(), line.strip_suffix(';')) {
            let (ty, name) = f.rsplit_once(' ').ok_or_else(|| err(format!("`{line}`: type and name expected")))?;
            r.fields.push(Field { ty: parse_type(ty.trim()).map_err(err)?, name: name.to_string() });
        } else {
            return Err(err(format!("cannot read `{line}`")));
        }
        if !pending.docs.is_empty() && open.as_ref().is_some_and(|r| !r.fields.is_empty()) {
            return Err(err("`///` inside a class".into()));
        }
    }
    if open.is_some() {
        return Err("zookeeper.jute: a class is not closed".into());
    }
    let names: HashSet<&str> = t.records.iter().map(|r| r.name.as_str()).collect();
    let known = |ty: &Type| match ty {
        Type::Record(r) => names.contains(r.as_str()),
        Type::Vector(e) => !matches!(&**e, Type::Record(r) if !names.contains(r.as_str())),
        _ => true,
    };
    for r in &t.records {
        for f in &r.fields {
            if !known(&f.ty) {
                return Err(format!("zookeeper.jute: {}.{}: unknown record", r.name, f.name));
            }
            if let Type::Vector(e) = &f.ty {
                if !t.vectors.iter().any(|v| v.elem == **e) {
                    return Err(format!("zookeeper.jute: {}.{}: vector<...> not declared at the top", r.name, f.name));
                }
            }
        }
    }
    Ok(t)
}

/// The C name of a vector's elements: `String` for strings, else the record's.
fn elem_name(e: &Type) -> &str {
    match e {
        Type::Str => "String",
        Type::Record(r) => r,
        _ => panic!("vectors hold strings or records"),
    }
}

fn rust_type(ty: &Type) -> String {
    match ty {
        Type::Int => "i32".into(),
        Type::Long => "i64".into(),
        Type::Str => "*mut c_char".into(),
        Type::Buffer => "buffer".into(),
        Type::Vector(e) => format!("{}_vector", elem_name(e)),
        Type::Record(r) => r.clone(),
    }
}

fn field_name(name: &str) -> String {
    if name == "type" {
        "r#type".into()
    } else {
        name.into()
    }
}

fn write_decl(out: &mut String, decl: &Decl) {
    for d in &decl.docs {
        if d.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {d}");
        }
    }
    out.push_str("#[repr(C)]\n");
    for a in &decl.attrs {
        let _ = writeln!(out, "{a}");
    }
}

const GENERATED: &str = "//! Generated by build.rs (codegen/jute.rs) from `src/proto/zookeeper.jute`:\n\
//! do not edit; `ZK_UPDATE_GENERATED=1 cargo build` writes it again.\n";

/// `src/proto/jute.rs`: the records in C layout, each vector type just
/// before the first record that uses it.
pub fn records_rs(t: &Table) -> String {
    let mut out = String::from(
        "//! The jute records of `zookeeper.jute`, laid out exactly as the reference\n\
         //! C client's `zookeeper.jute.h` declares them.\n//!\n",
    );
    out.push_str(GENERATED);
    out.push_str("#![allow(non_camel_case_types, non_snake_case)]\n\nuse libc::c_char;\n\npub use super::recordio::buffer;\n");
    let mut laid_out: Vec<&Type> = Vec::new();
    for r in &t.records {
        for f in &r.fields {
            let Type::Vector(e) = &f.ty else { continue };
            if laid_out.contains(&&**e) {
                continue;
            }
            laid_out.push(e);
            let v = t.vectors.iter().find(|v| v.elem == **e).unwrap();
            out.push('\n');
            write_decl(&mut out, &v.decl);
            let elem = if **e == Type::Str { "*mut c_char".to_string() } else { rust_type(e) };
            let _ = writeln!(out, "pub struct {}_vector {{\n    pub count: i32,\n    pub data: *mut {elem},\n}}", elem_name(e));
        }
        out.push('\n');
        write_decl(&mut out, &r.decl);
        let _ = writeln!(out, "pub struct {} {{", r.name);
        for f in &r.fields {
            let _ = writeln!(out, "    pub {}: {},", field_name(&f.name), rust_type(&f.ty));
        }
        out.push_str("}\n");
    }
    out
}

/// Whether a value of `ty` owns memory that its deallocator frees.
fn owns(t: &Table, ty: &Type) -> bool {
    match ty {
        Type::Int | Type::Long => false,
        Type::Str | Type::Buffer | Type::Vector(_) => true,
        Type::Record(r) => t.records.iter().find(|x| &x.name == r).is_some_and(|x| x.fields.iter().any(|f| owns(t, &f.ty))),
    }
}

/// The function that frees what a value of `ty` owns.
fn deallocator(ty: &Type) -> String {
    match ty {
        Type::Str => "deallocate_String".into(),
        Type::Buffer => "deallocate_Buffer".into(),
        Type::Vector(e) => format!("deallocate_{}_vector", elem_name(e)),
        Type::Record(r) => format!("deallocate_{r}"),
        Type::Int | Type::Long => unreachable!("owns nothing"),
    }
}

/// "a `Name`" or "an `Name`".
fn a(name: &str) -> String {
    let an = name.starts_with(['A', 'E', 'I', 'O', 'U']);
    format!("{} `{name}`", if an { "an" } else { "a" })
}

fn capital(s: String) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// `src/ffi/memory/records.rs`: `allocate_*`/`deallocate_*` of each vector
/// type, then `deallocate_*` of each record by name, each inside the entry
/// macro, with its documentation.
pub fn memory_rs(t: &Table) -> String {
    let mut out = String::from("//! The allocate and deallocate functions of the jute records (ownership:\n//! see `super`).\n//!\n");
    out.push_str(GENERATED);
    out.push_str(
        "\nuse super::{allocate_into, deallocate_from};\n\
         use crate::ffi::codes::{ZBADARGUMENTS, ZOK};\n\
         use crate::ffi::ffi_entry;\n\
         use crate::ffi::ptr::out_ref;\n\
         use crate::ffi::recordio::{deallocate_Buffer, deallocate_String};\n\
         use crate::proto::jute::*;\n",
    );
    for v in &t.vectors {
        let e = elem_name(&v.elem);
        let free = deallocator(&v.elem);
        let _ = write!(
            out,
            "
/// Gives `*v` an array of `len` zeroed `{e}` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_{e}_vector`.
#[no_mangle]
pub unsafe extern \"C\" fn allocate_{e}_vector(v: *mut {e}_vector, len: i32) -> i32 {{
    ffi_entry!({{
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe {{ out_ref(v) }}) else {{ return ZBADARGUMENTS }};
        allocate_into(&mut v.count, &mut v.data, len)
    }})
}}

/// Frees every entry of `*v` (what each `{e}` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern \"C\" fn deallocate_{e}_vector(v: *mut {e}_vector) -> i32 {{
    ffi_entry!({{
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe {{ out_ref(v) }}) else {{ return ZOK }};
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe {{ deallocate_from(v.count, &mut v.data, {free}) }};
        ZOK
    }})
}}
"
        );
    }
    let mut records: Vec<&Record> = t.records.iter().collect();
    records.sort_by(|x, y| x.name.cmp(&y.name));
    for r in records {
        let n = &r.name;
        let owned: Vec<&Field> = r.fields.iter().filter(|f| owns(t, &f.ty)).collect();
        if owned.is_empty() {
            let _ = write!(
                out,
                "
/// {} owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern \"C\" fn deallocate_{n}(_v: *mut {n}) {{
    ffi_entry!({{}})
}}
",
                capital(a(n))
            );
            continue;
        }
        let names: Vec<String> = owned.iter().map(|f| format!("`{}`", f.name)).collect();
        let _ = write!(
            out,
            "
/// Frees what {} owns ({}); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern \"C\" fn deallocate_{n}(v: *mut {n}) {{
    ffi_entry!({{
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe {{ out_ref(v) }}) else {{ return }};
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {{
",
            a(n),
            names.join(", ")
        );
        for f in owned {
            let _ = writeln!(out, "            {}(&mut v.{});", deallocator(&f.ty), field_name(&f.name));
        }
        out.push_str("        }\n    })\n}\n");
    }
    out
}
