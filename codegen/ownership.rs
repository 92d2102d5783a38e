//! The "Ownership and threads:" lists of the exported functions'
//! documentation, from one table (`src/ffi/ownership.txt`).
//!
//! In a source file, each such list is preceded by a line naming its
//! bullets, one word each, in order: a key of the table (that paragraph is
//! the bullet) or `*` (the bullet is written there by hand):
//!
//! ```text
//! /// Ownership and threads:
//! // ownership: zh-call path * completion data
//! /// - `zh`: a handle from `zookeeper_init`; ...
//! ```
//!
//! [`render`] writes every keyed bullet from the table and keeps the others;
//! build.rs checks and rewrites the sources with it (see `ZK_UPDATE_GENERATED`).

use std::collections::BTreeMap;

pub const LIST: &str = "/// Ownership and threads:";
pub const KEYS: &str = "// ownership:";

/// The table: key -> the paragraph's lines (as they stand after `/// - `
/// and `///   `).
pub type Table = BTreeMap<String, Vec<String>>;

/// Reads the table: `[key]` lines, each followed by its paragraph's lines;
/// `#` lines and blank lines between entries are comments.
pub fn parse_table(text: &str) -> Result<Table, String> {
    let mut table = Table::new();
    let mut key: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_end();
        if let Some(k) = t.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
            if table.insert(k.to_string(), Vec::new()).is_some() {
                return Err(format!("line {}: [{k}] given twice", n + 1));
            }
            key = Some(k.to_string());
        } else if t.is_empty() || t.starts_with('#') {
            key = None;
        } else if let Some(k) = &key {
            table.get_mut(k).unwrap().push(t.to_string());
        } else {
            return Err(format!("line {}: text outside an entry", n + 1));
        }
    }
    if let Some((k, _)) = table.iter().find(|(_, v)| v.is_empty()) {
        return Err(format!("[{k}] has no text"));
    }
    Ok(table)
}

/// `source` with every keyed list written from `table`; Err names the
/// first list whose keys are unknown or do not match its bullets, or a
/// list without keys. `file` names the source in errors.
pub fn render(file: &str, source: &str, table: &Table) -> Result<String, String> {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        if lines[i].trim() != LIST {
            i += 1;
            continue;
        }
        let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
        let at = format!("{file}:{}", i + 1);
        i += 1;
        let keys: Vec<&str> = match lines.get(i).and_then(|l| l.trim().strip_prefix(KEYS)) {
            Some(k) => k.split_whitespace().collect(),
            None => return Err(format!("{at}: an ownership list without a `{KEYS}` line after it")),
        };
        out.push_str(lines[i]);
        i += 1;
        // The bullets as they stand: a `/// - ` line and its `///   ` lines.
        let mut bullets: Vec<Vec<&str>> = Vec::new();
        while let Some(l) = lines.get(i) {
            let t = l.trim_start();
            if t.starts_with("/// - ") || (t.starts_with("/// -") && t.trim_end() == "/// -") {
                bullets.push(vec![l]);
            } else if t.starts_with("///   ") && !bullets.is_empty() {
                bullets.last_mut().unwrap().push(l);
            } else {
                break;
            }
            i += 1;
        }
        if bullets.len() != keys.len() {
            return Err(format!(
                "{at}: {} keys for {} bullets (give each new key a bullet `/// -` to be written)",
                keys.len(),
                bullets.len()
            ));
        }
        for (key, bullet) in keys.iter().zip(&bullets) {
            if *key == "*" {
                bullet.iter().for_each(|l| out.push_str(l));
                continue;
            }
            let Some(text) = table.get(*key) else { return Err(format!("{at}: no paragraph [{key}] in the table")) };
            for (n, t) in text.iter().enumerate() {
                out.push_str(indent);
                out.push_str(if n == 0 { "/// - " } else { "///   " });
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// The keys `source` uses (to report paragraphs nobody uses).
pub fn keys_used(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|l| l.trim().strip_prefix(KEYS)).flat_map(str::split_whitespace).filter(|k| *k != "*")
}
