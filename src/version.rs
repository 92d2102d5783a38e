//! The client version (`zookeeper_version.h`).

/// The version of the C client API this library implements.
pub const ZOO_VERSION: &str = "3.8.0";

/// The version as a C string.
#[no_mangle]
pub static zoo_version_str: [libc::c_char; 6] = [51, 46, 56, 46, 48, 0];

#[cfg(test)]
mod tests {
    #[test]
    fn header_carries_the_version() {
        let h = include_str!("../include/zookeeper/zookeeper_version.h");
        assert!(h.contains(&format!("#define ZOO_VERSION \"{}\"", super::ZOO_VERSION)));
        assert_eq!(
            &super::zoo_version_str[..5],
            super::ZOO_VERSION.as_bytes().iter().map(|&b| b as libc::c_char).collect::<Vec<_>>().as_slice()
        );
    }
}
