//! 统一社会信用代码 (GB 32100-2015): registration authority, organisation kind, 6-digit region,
//! 9-character organisation code (GB 11714, with its own check character) and a check character.

use crate::i18n::Text;

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// The parsed parts of a valid code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uscc {
    pub code: String,
    pub authority: char,
    pub kind: char,
    pub region_code: String,
    pub organisation_code: String,
}

fn value(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// GB 11714 values: digits are themselves, letters A–Z are 10–35.
fn org_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        _ => None,
    }
}

/// The GB 11714 check character for an 8-character organisation code body.
pub fn organisation_check(body: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in body.chars().zip(ORG_WEIGHTS) {
        sum += org_value(c)? * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

/// The GB 32100 check character for the first 17 characters.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
    }
    CHARSET.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// Builds a valid code from its parts: authority, kind, 6-digit region and 8-character
/// organisation body; both check characters are computed. Used for demo data and tests.
pub fn build(authority: char, kind: char, region: &str, org_body: &str) -> Option<String> {
    let org_check = organisation_check(org_body)?;
    let first17 = format!("{authority}{kind}{region}{org_body}{org_check}");
    let check = check_character(&first17)?;
    Some(format!("{first17}{check}"))
}

pub fn parse(input: &str) -> Result<Uscc, Text> {
    let s = input.trim().to_ascii_uppercase();
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != 18 {
        return Err(Text::new(
            format!("统一社会信用代码应为18位，实际为{}位", chars.len()),
            format!(
                "a credit code has 18 characters, this one has {}",
                chars.len()
            ),
        ));
    }
    if let Some(pos) = chars.iter().position(|&c| value(c).is_none()) {
        return Err(Text::new(
            format!(
                "第{}位字符“{}”不允许（不得使用I、O、S、V、Z）",
                pos + 1,
                chars[pos]
            ),
            format!(
                "character {} ('{}') is not allowed (I, O, S, V and Z are never used)",
                pos + 1,
                chars[pos]
            ),
        ));
    }
    if let Some(pos) = chars[2..8].iter().position(|c| !c.is_ascii_digit()) {
        return Err(Text::new(
            format!("第{}位应为数字（第3–8位是行政区划码）", pos + 3),
            format!(
                "character {} must be a digit (3–8 are the region code)",
                pos + 3
            ),
        ));
    }
    let org: String = chars[8..17].iter().collect();
    let org_expected = organisation_check(&org[..8]).unwrap_or('?');
    if org_expected != chars[16] {
        return Err(Text::new(
            format!(
                "组织机构代码{org}的校验码错误：第17位应为{org_expected}，实际为{}",
                chars[16]
            ),
            format!(
                "organisation code {org} has a wrong check character: character 17 should be {org_expected}, found {}",
                chars[16]
            ),
        ));
    }
    let expected = check_character(&s[..17]).unwrap_or('?');
    if expected != chars[17] {
        return Err(Text::new(
            format!("校验码错误：第18位应为{expected}，实际为{}", chars[17]),
            format!(
                "wrong check character: character 18 should be {expected}, found {}",
                chars[17]
            ),
        ));
    }
    Ok(Uscc {
        authority: chars[0],
        kind: chars[1],
        region_code: s[2..8].to_string(),
        organisation_code: org,
        code: s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on public business licences.
        for code in [
            "91350100M000100Y43",
            "911100001000080343",
            "91110108551385082Q",
            "91440300708461136T",
        ] {
            let u = parse(code).unwrap_or_else(|e| panic!("{code}: {}", e.zh));
            assert_eq!(u.code, code);
        }
        let u = parse("91350100M000100Y43").unwrap();
        assert_eq!(u.region_code, "350100");
        assert_eq!(u.organisation_code, "M000100Y4");
    }

    #[test]
    fn builds_what_it_parses() {
        let code = build('1', '1', "211403", "MB123456").unwrap();
        assert_eq!(code.len(), 18);
        let u = parse(&code).unwrap();
        assert_eq!(u.authority, '1');
        assert_eq!(u.region_code, "211403");
        assert!(u.organisation_code.starts_with("MB123456"));
    }

    #[test]
    fn organisation_check_follows_gb11714() {
        // Worked example from GB 11714: D2143569-? -> weights give check 'X' or a digit;
        // computed independently: 3*13+7*2+9*1+10*4+5*3+8*5+4*6+2*9 = 199, 199 mod 11 = 1, 11-1 = 10 -> X
        assert_eq!(organisation_check("D2143569"), Some('X'));
        assert_eq!(organisation_check("00000000"), Some('0'));
    }

    #[test]
    fn rejects_with_reasons() {
        assert!(
            parse("91350100M000100Y4")
                .unwrap_err()
                .zh
                .contains("实际为17位")
        );
        assert!(
            parse("91350100M000100Y4O")
                .unwrap_err()
                .zh
                .contains("第18位字符“O”")
        );
        assert!(
            parse("913501A0M000100Y43")
                .unwrap_err()
                .zh
                .contains("第7位应为数字")
        );
        // break the organisation check (position 17) and repair the overall check
        let first16 = "91350100M000100Y";
        let bad_org = format!("{first16}5");
        let code = format!("{bad_org}{}", check_character(&bad_org).unwrap());
        assert!(parse(&code).unwrap_err().zh.contains("组织机构代码"));
        assert!(
            parse("91350100M000100Y44")
                .unwrap_err()
                .zh
                .contains("第18位应为3")
        );
    }

    #[test]
    fn lower_case_is_normalised() {
        assert_eq!(
            parse("91350100m000100y43").unwrap().code,
            "91350100M000100Y43"
        );
    }
}
