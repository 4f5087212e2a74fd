//! Counted nouns in messages: "1 file", "2 files", never "1 files".

/// `n` followed by the noun in the number `n` asks for.
pub(crate) fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A size on disk in the largest unit that keeps it at least 1 (bytes, kB, MB, GB; decimal
/// units, as `df -H` prints them).
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [(&str, f64); 3] = [("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, scale) in UNITS {
        if bytes as f64 >= scale {
            return format!("{:.1} {unit}", bytes as f64 / scale);
        }
    }
    counted(bytes, "byte", "bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_follow_the_count_and_sizes_their_unit() {
        assert_eq!(counted(1u64, "file", "files"), "1 file");
        assert_eq!(counted(0u64, "file", "files"), "0 files");
        assert_eq!(counted(2u64, "warning", "warnings"), "2 warnings");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(999), "999 bytes");
        assert_eq!(size(48_300), "48.3 kB");
        assert_eq!(size(2_500_000), "2.5 MB");
        assert_eq!(size(3_200_000_000), "3.2 GB");
    }
}
