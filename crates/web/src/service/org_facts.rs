//! Facts about the organisation that never change once written: a region's path (regions are
//! never moved) and a department's region (a department is never moved either). Every request
//! needs them to check scope, so they are kept in memory after the first read; a region or
//! department not found is not remembered, since it may be created later.

use crate::error::AppResult;
use onewindow_store::Store;
use std::collections::HashMap;
use std::sync::RwLock;

#[derive(Default)]
pub struct OrgFacts {
    region_paths: RwLock<HashMap<i64, String>>,
    department_regions: RwLock<HashMap<i64, i64>>,
}

impl OrgFacts {
    pub async fn region_path(&self, store: &dyn Store, id: i64) -> AppResult<Option<String>> {
        if let Some(p) = self
            .region_paths
            .read()
            .ok()
            .and_then(|m| m.get(&id).cloned())
        {
            return Ok(Some(p));
        }
        let path = store.region(id).await?.map(|r| r.path);
        if let (Some(p), Ok(mut m)) = (&path, self.region_paths.write()) {
            m.insert(id, p.clone());
        }
        Ok(path)
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
