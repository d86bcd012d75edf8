//! Mainland mobile numbers: 11 digits starting 13–19. A leading +86/0086 and spaces or hyphens are
//! accepted and dropped.

use crate::i18n::Text;

pub fn parse(input: &str) -> Result<String, Text> {
    let mut s: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
        .collect();
    for prefix in ["+86", "0086"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(Text::fixed(
            "手机号码只能包含数字",
            "a mobile number has digits only",
        ));
    }
    if s.len() != 11 {
        return Err(Text::new(
            format!("手机号码应为11位，实际为{}位", s.len()),
            format!("a mobile number has 11 digits, this one has {}", s.len()),
        ));
    }
    let b = s.as_bytes();
    if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
        return Err(Text::fixed(
            "手机号码应以13–19开头",
            "a mobile number starts with 13 to 19",
        ));
    }
    Ok(s)
}

/// Shows the first 3 and last 4 digits: 138****5678.
pub fn mask(number: &str) -> String {
    if number.len() == 11 && number.is_ascii() {
        format!("{}****{}", &number[..3], &number[7..])
    } else {
        "*".repeat(number.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(parse("13812345678").unwrap(), "13812345678");
        assert_eq!(parse("+86 138-1234-5678").unwrap(), "13812345678");
        assert_eq!(parse("008619912345678").unwrap(), "19912345678");
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(parse("1381234567").unwrap_err().zh.contains("实际为10位"));
        assert!(parse("12812345678").unwrap_err().zh.contains("13–19"));
        assert!(parse("1381234567a").unwrap_err().zh.contains("数字"));
        assert!(parse("").unwrap_err().zh.contains("实际为0位"));
    }

    #[test]
    fn masks_the_middle() {
        assert_eq!(mask("13812345678"), "138****5678");
    }
}
