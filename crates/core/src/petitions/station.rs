//! Agency stations (代理站), one in each village or community, and their agents (代理员), each
//! with an account.

use crate::error::FieldError;
use crate::validate::text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A station as entered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStation {
    pub name: String,
    /// Its village or community.
    pub region_id: i64,
    #[serde(default)]
    pub address: String,
}

impl NewStation {
    pub fn check(self) -> Result<NewStation, FieldError> {
        Ok(NewStation {
            name: text::required("name", &self.name, 100)?,
            region_id: self.region_id,
            address: text::optional("address", &self.address, 200)?.unwrap_or_default(),
        })
    }
}

/// A station as stored, with its agents' accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Station {
    pub id: i64,
    pub name: String,
    pub region_id: i64,
    pub address: String,
    pub agents: Vec<i64>,
    pub version: i64,
}
