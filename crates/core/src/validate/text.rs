//! Checks on free text fields: trimmed, not empty, not too long, no control characters.

use crate::error::FieldError;
use crate::i18n::Text;

/// Trims and checks a required text field of at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(
            field,
            Text::fixed("不能为空", "must not be empty"),
        ));
    }
    optional(field, v, max).map(|o| o.unwrap_or_default())
}

/// Trims and checks an optional text field; empty becomes `None`.
pub fn optional(field: &str, value: &str, max: usize) -> Result<Option<String>, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let n = v.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            Text::new(
                format!("不能超过{max}个字符，实际为{n}个"),
                format!("at most {max} characters, got {n}"),
            ),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(FieldError::new(
            field,
            Text::fixed("包含不可见的控制字符", "contains control characters"),
        ));
    }
    Ok(Some(v.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_limits() {
        assert_eq!(required("name", "  区民政局 ", 10).unwrap(), "区民政局");
        assert!(
            required("name", "   ", 10)
                .unwrap_err()
                .reason
                .zh
                .contains("不能为空")
        );
        let e = required("name", "一二三四五六", 5).unwrap_err();
        assert_eq!(e.field, "name");
        assert!(e.reason.zh.contains("实际为6个"));
        assert_eq!(optional("phone", "  ", 5).unwrap(), None);
        assert!(optional("x", "a\u{7}b", 5).is_err());
    }
}
