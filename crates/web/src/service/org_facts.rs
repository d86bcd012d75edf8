//! Facts about the organisation that never change once written: a region's path and level
//! (regions are never moved) and a department's region (a department is never moved either). Every request
//! needs them to check scope, so they are kept in memory after the first read; a region or
//! department not found is not remembered, since it may be created later.

use crate::error::AppResult;
use onewindow_core::validate::region_code::RegionLevel;
use onewindow_store::Store;
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Default)]
pub struct OrgFacts {
    regions: RwLock<HashMap<i64, (String, RegionLevel)>>,
    department_regions: RwLock<HashMap<i64, i64>>,
}

impl OrgFacts {
    pub async fn region_path(&self, store: &dyn Store, id: i64) -> AppResult<Option<String>> {
        Ok(self.region(store, id).await?.map(|r| r.0))
    }

    /// A region's path and level.
    pub async fn region(
        &self,
        store: &dyn Store,
        id: i64,
    ) -> AppResult<Option<(String, RegionLevel)>> {
        if let Some(p) = self.regions.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(Some(p));
        }
        let found = store.region(id).await?.map(|r| (r.path, r.level));
        if let (Some(p), Ok(mut m)) = (&found, self.regions.write()) {
            m.insert(id, p.clone());
        }
        Ok(found)
    }

    pub async fn department_region(&self, store: &dyn Store, id: i64) -> AppResult<Option<i64>> {
        if let Some(r) = self
            .department_regions
            .read()
            .ok()
            .and_then(|m| m.get(&id).copied())
        {
            return Ok(Some(r));
        }
        let region = store.department(id).await?.map(|d| d.region_id);
        if let (Some(r), Ok(mut m)) = (region, self.department_regions.write()) {
            m.insert(id, r);
        }
        Ok(region)
    }
}
