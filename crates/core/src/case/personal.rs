//! A case's personal data as those who need not reach the applicant see it (个人信息脱敏): lists,
//! supervisors, leaders. The ID number or credit code keeps its first three and last four
//! characters, the phone its first three and last four digits, an address its first six
//! characters (district and street: enough to tell where, not enough to knock), an e-mail its
//! first letter and its domain.

use super::Case;
use crate::validate::{id_card, mobile};

const ADDRESS_KEPT: usize = 6;

pub fn mask_address(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= ADDRESS_KEPT {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..ADDRESS_KEPT].iter().collect();
    out.push_str("****");
    out
}

pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((name, domain)) => {
            let first: String = name.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "*".repeat(email.chars().count()),
    }
}

impl Case {
    /// Masks the applicant's and the agent's ID numbers, phones, address, e-mail and the
    /// delivery address in place. Names stay: a case is found and called by its applicant's name.
    pub fn mask_personal(&mut self) {
        let a = &mut self.applicant;
        a.id_number = id_card::mask(&a.id_number);
        a.phone = mobile::mask(&a.phone);
        a.email = a.email.as_deref().map(mask_email);
        a.address = a.address.as_deref().map(mask_address);
        if let Some(g) = self.agency.as_mut() {
            g.id_number = id_card::mask(&g.id_number);
            g.phone = mobile::mask(&g.phone);
        }
        self.delivery_address = self.delivery_address.as_deref().map(mask_address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_mails_keep_only_where_and_whose_domain() {
        assert_eq!(
            mask_address("龙港区双树街道海滨小区3号楼2单元501"),
            "龙港区双树街****"
        );
        assert_eq!(mask_address("龙港区"), "***");
        assert_eq!(mask_email("zhangming@example.cn"), "z***@example.cn");
        assert_eq!(mask_email("no-at-sign"), "**********");
    }
}
