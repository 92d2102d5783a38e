//! The chroot of a connect string ("host:port/app"): client paths are
//! relative to it, server paths absolute. And what a valid path is.

/// The server path of a client path (chroot prepended).
pub fn server_path(chroot: Option<&[u8]>, path: &[u8]) -> Vec<u8> {
    match chroot {
        None => path.to_vec(),
        Some(c) if path == b"/" => c.to_vec(),
        Some(c) => [c, path].concat(),
    }
}

/// The client path of a server path (chroot stripped; "/" for the chroot itself).
pub fn client_path(chroot: Option<&[u8]>, path: &[u8]) -> Vec<u8> {
    match chroot {
        None => path.to_vec(),
        Some(c) => match path.strip_prefix(c) {
            Some(b"") => b"/".to_vec(),
            Some(rest) => rest.to_vec(),
            None => path.to_vec(),
        },
    }
}

/// The reference client's path check (`isValidPath`); `sequential`: the
/// path of a sequential create, which the server completes (so it may end
/// with `/` or `.`). The same rules as the reference's loop, in one pass
/// that looks twice only at `/`, `.` and control bytes.
pub fn is_valid_path(path: &[u8], sequential: bool) -> bool {
    let len = path.len();
    if len == 0 || path[0] != b'/' {
        return false;
    }
    if path[len - 1] == b'/' && len > 1 && !sequential {
        return false;
    }
    for i in 1..len {
        let c = path[i];
        if c > b'/' {
            continue;
        }
        let last = path[i - 1];
        // The byte after ends a path component: the path's end (unless the
        // server completes it) or a '/'.
        let ends = if i + 1 == len { !sequential } else { path[i + 1] == b'/' };
        match c {
            b'/' if last == b'/' => return false,
            // "." and ".." components.
            b'.' if ends && (last == b'/' || (last == b'.' && path[i - 2] == b'/')) => return false,
            0x01..0x1f => return false,
            _ => {}
        }
    }
    true
}

/// The server path of a client path, checked: None when the client path is
/// relative, or the path is not valid once the chroot is prepended. (The
/// reference would turn "bc" into "<chroot>bc", outside the chroot, and any
/// one-character path into the chroot itself.)
pub fn checked_server_path(chroot: Option<&[u8]>, path: &[u8], sequential: bool) -> Option<Vec<u8>> {
    if path.first() != Some(&b'/') {
        return None;
    }
    Some(server_path(chroot, path)).filter(|sp| is_valid_path(sp, sequential))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rules_match_the_reference() {
        for p in ["/", "/a", "/a/b", "/a.b", "/..a", "/a/.b"] {
            assert!(is_valid_path(p.as_bytes(), false), "{p}");
        }
        for p in ["", "a", "/a/", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a\x01"] {
            assert!(!is_valid_path(p.as_bytes(), false), "{p}");
        }
        assert!(is_valid_path(b"/a/", true));
        assert!(is_valid_path(b"/a/.", true));
    }

    /// `isValidPath` of the reference client, as written there.
    fn reference_is_valid_path(path: &[u8], sequential: bool) -> bool {
        let len = path.len();
        if len == 0 || path[0] != b'/' {
            return false;
        }
        if len == 1 {
            return true;
        }
        if path[len - 1] == b'/' && !sequential {
            return false;
        }
        let mut lastc = b'/';
        for i in 1..len {
            let c = path[i];
            if c == b'/' && lastc == b'/' {
                return false;
            } else if c == b'.' && lastc == b'.' {
                if path[i - 2] == b'/' && ((i + 1 == len && !sequential) || (i + 1 < len && path[i + 1] == b'/')) {
                    return false;
                }
            } else if c == b'.' {
                if path[i - 1] == b'/' && ((i + 1 == len && !sequential) || (i + 1 < len && path[i + 1] == b'/')) {
                    return false;
                }
            } else if c > 0x00 && c < 0x1f {
                return false;
            }
            lastc = c;
        }
        true
    }

    #[test]
    fn path_check_is_the_reference_loop_for_every_short_path() {
        // Every path of up to 6 bytes over the bytes the rules look at.
        let alphabet = [b'/', b'.', b'a', 0x00, 0x01, 0x1e, 0x1f, b'-', 0x80];
        let mut n = 0;
        for len in 0..=6u32 {
            for k in 0..alphabet.len().pow(len) {
                let mut k = k;
                let p: Vec<u8> = (0..len)
                    .map(|_| {
                        let b = alphabet[k % alphabet.len()];
                        k /= alphabet.len();
                        b
                    })
                    .collect();
                for seq in [false, true] {
                    assert_eq!(is_valid_path(&p, seq), reference_is_valid_path(&p, seq), "{p:?} sequential={seq}");
                    n += 1;
                }
            }
        }
        assert!(n > 1_000_000);
    }

    #[test]
    fn checked_paths_stay_under_the_chroot() {
        let c = Some(&b"/app"[..]);
        assert_eq!(checked_server_path(c, b"/x", false).as_deref(), Some(&b"/app/x"[..]));
        assert_eq!(checked_server_path(c, b"/", false).as_deref(), Some(&b"/app"[..]));
        assert_eq!(checked_server_path(None, b"/x/", true).as_deref(), Some(&b"/x/"[..]));
        for bad in [&b"x"[..], b"", b"/x/", b"/x//y", b"/.."] {
            assert_eq!(checked_server_path(c, bad, false), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn round_trip() {
        let c = Some(&b"/app"[..]);
        assert_eq!(server_path(c, b"/"), b"/app");
        assert_eq!(server_path(c, b"/x"), b"/app/x");
        assert_eq!(client_path(c, b"/app"), b"/");
        assert_eq!(client_path(c, b"/app/x"), b"/x");
        assert_eq!(client_path(None, b"/x"), b"/x");
    }
}
