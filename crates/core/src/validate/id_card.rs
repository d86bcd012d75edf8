//! 居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence (odd for
//! men), and a check character computed with ISO 7064 MOD 11-2.

use crate::i18n::Text;
use chrono::{Datelike, NaiveDate};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// First two digits of every province-level region that has issued ID numbers (GB/T 2260).
/// Only the province is checked: retired county codes still appear in valid old numbers.
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdCard {
    /// The normalised number: 17 digits and an upper-case check character.
    pub number: String,
    pub region_code: String,
    pub birth_date: NaiveDate,
    pub sequence: u16,
    pub sex: Sex,
}

impl IdCard {
    /// Parses and checks a number, with `today` to refuse birth dates in the future.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdCard, Text> {
        let s: String = input.trim().to_ascii_uppercase();
        let n = s.chars().count();
        if n != 18 {
            return Err(Text::new(
                format!("身份证号码应为18位，实际为{n}位"),
                format!("an ID number has 18 characters, this one has {n}"),
            ));
        }
        let bytes = s.as_bytes();
        if let Some(pos) = bytes[..17].iter().position(|b| !b.is_ascii_digit()) {
            return Err(Text::new(
                format!("第{}位应为数字", pos + 1),
                format!("character {} must be a digit", pos + 1),
            ));
        }
        let last = bytes[17];
        if !(last.is_ascii_digit() || last == b'X') {
            return Err(Text::fixed(
                "第18位校验码应为数字或X",
                "the 18th character must be a digit or X",
            ));
        }
        let province = u32::from(bytes[0] - b'0') * 10 + u32::from(bytes[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(Text::new(
                format!("前两位{province:02}不是有效的省级行政区划代码"),
                format!("{province:02} is not a province code"),
            ));
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").map_err(|_| {
            Text::new(
                format!("出生日期{}不是有效日期", &s[6..14]),
                format!("birth date {} is not a real date", &s[6..14]),
            )
        })?;
        if birth > today {
            return Err(Text::new(
                format!("出生日期{birth}晚于今天"),
                format!("birth date {birth} is in the future"),
            ));
        }
        if birth.year() < 1880 {
            return Err(Text::new(
                format!("出生日期{birth}早于1880年"),
                format!("birth date {birth} is before 1880"),
            ));
        }
        let expected = check_character(&s[..17]);
        if expected != char::from(last) {
            return Err(Text::new(
                format!("校验码错误：应为{expected}，实际为{}", char::from(last)),
                format!(
                    "wrong check character: expected {expected}, found {}",
                    char::from(last)
                ),
            ));
        }
        let sequence: u16 = s[14..17].parse().unwrap_or(0);
        Ok(IdCard {
            region_code: s[..6].to_string(),
            birth_date: birth,
            sex: if sequence % 2 == 1 {
                Sex::Male
            } else {
                Sex::Female
            },
            sequence,
            number: s,
        })
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let b = self.birth_date;
        let mut age = date.year() - b.year();
        if (date.month(), date.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        u32::try_from(age).unwrap_or(0)
    }
}

/// The check character for the first 17 digits. The caller guarantees 17 ASCII digits.
pub fn check_character(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

/// Shows the first 3 and last 4 characters only, as on every public screen.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..3].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 7));
    out.extend(&chars[chars.len() - 4..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn accepts_the_standard_example() {
        // The worked example of GB 11643-1999 appendix.
        let id = IdCard::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.region_code, "110105");
        assert_eq!(
            id.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sequence, 2);
        assert_eq!(id.sex, Sex::Female);
        assert_eq!(id.age_on(today()), 76);
    }

    #[test]
    fn accepts_a_lower_case_x_and_spaces() {
        let id = IdCard::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.number, "11010519491231002X");
    }

    #[test]
    fn odd_sequence_is_male() {
        let first17 = "21140319800101001";
        let num = format!("{first17}{}", check_character(first17));
        let id = IdCard::parse(&num, today()).unwrap();
        assert_eq!(id.sex, Sex::Male);
    }

    #[test]
    fn rejects_wrong_check_character_and_says_which() {
        let err = IdCard::parse("110105194912310021", today()).unwrap_err();
        assert!(err.zh.contains("应为X"), "{}", err.zh);
        assert!(err.en.contains("expected X"));
    }

    #[test]
    fn rejects_wrong_length_letters_and_bad_dates() {
        assert!(
            IdCard::parse("1101051949123100", today())
                .unwrap_err()
                .zh
                .contains("实际为16位")
        );
        assert!(
            IdCard::parse("1101051949123A002X", today())
                .unwrap_err()
                .zh
                .contains("第14位")
        );
        let feb30 = "11010519490230002";
        let num = format!("{feb30}{}", check_character(feb30));
        assert!(
            IdCard::parse(&num, today())
                .unwrap_err()
                .zh
                .contains("不是有效日期")
        );
        let future = "11010520300101002";
        let num = format!("{future}{}", check_character(future));
        assert!(
            IdCard::parse(&num, today())
                .unwrap_err()
                .zh
                .contains("晚于今天")
        );
        let province = "99010519491231002";
        let num = format!("{province}{}", check_character(province));
        assert!(
            IdCard::parse(&num, today())
                .unwrap_err()
                .zh
                .contains("省级")
        );
    }

    #[test]
    fn age_counts_whole_years() {
        let first17 = "21140319611124001";
        let num = format!("{first17}{}", check_character(first17));
        let id = IdCard::parse(&num, today()).unwrap();
        assert_eq!(id.age_on(today()), 64);
        assert_eq!(
            id.age_on(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()),
            65
        );
    }

    #[test]
    fn masks_all_but_the_ends() {
        assert_eq!(mask("11010519491231002X"), "110***********002X");
        assert_eq!(mask("123"), "***");
    }
}
