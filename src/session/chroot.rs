//! The chroot of a connect string ("host:port/app"): client paths are
//! relative to it, server paths absolute.

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

#[cfg(test)]
mod tests {
    use super::*;

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
