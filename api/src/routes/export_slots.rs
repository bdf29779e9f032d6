//! How many customer exports run at once, per caller (user or API key) and
//! per workspace, on this server node.
//!
//! An export streams a whole workspace for as long as the client takes to
//! read it, with a database query per batch, so a few callers could keep
//! every connection of the pool busy. Places are counted in process (no
//! Redis round trip, nothing to leak when a node dies mid-download): a
//! place is taken before the first query and given back when the response
//! body is finished or dropped (also when the client goes away). With N
//! nodes behind a load balancer a workspace may run up to N times the limit
//! at once, which still bounds the load per node and per pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::config::BulkLimits;

/// The exports running on this node.
pub struct ExportSlots {
    per_caller: usize,
    per_tenant: usize,
    running: Mutex<Running>,
}

#[derive(Default)]
struct Running {
    callers: HashMap<Uuid, usize>,
    tenants: HashMap<Uuid, usize>,
}

/// Why no place is free, with the limit that binds.
#[derive(Debug, PartialEq, Eq)]
pub enum Busy {
    Caller(usize),
    Tenant(usize),
}

/// A place taken by one running export; dropping it gives the place back.
pub struct ExportSlot {
    slots: Arc<ExportSlots>,
    caller: Uuid,
    tenant: Uuid,
}

impl ExportSlots {
    /// Places as configured (`CRM_EXPORTS_PER_CALLER`, `CRM_EXPORTS_PER_TENANT`).
    pub fn new(limits: &BulkLimits) -> Arc<Self> {
        Arc::new(ExportSlots {
            per_caller: limits.exports_per_caller.max(1),
            per_tenant: limits.exports_per_tenant.max(1),
            running: Mutex::new(Running::default()),
        })
    }

    /// Takes a place for `caller` in `tenant`, or says which limit is reached.
    pub fn acquire(self: &Arc<Self>, caller: Uuid, tenant: Uuid) -> Result<ExportSlot, Busy> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        if running.callers.get(&caller).copied().unwrap_or(0) >= self.per_caller {
            return Err(Busy::Caller(self.per_caller));
        }
        if running.tenants.get(&tenant).copied().unwrap_or(0) >= self.per_tenant {
            return Err(Busy::Tenant(self.per_tenant));
        }
        *running.callers.entry(caller).or_default() += 1;
        *running.tenants.entry(tenant).or_default() += 1;
        Ok(ExportSlot {
            slots: self.clone(),
            caller,
            tenant,
        })
    }
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        let mut guard = self.slots.running.lock().unwrap_or_else(|e| e.into_inner());
        let running = &mut *guard;
        release(&mut running.callers, self.caller);
        release(&mut running.tenants, self.tenant);
    }
}

/// One place fewer for `key`; keys without places are forgotten.
fn release(counts: &mut HashMap<Uuid, usize>, key: Uuid) {
    if let Some(count) = counts.get_mut(&key) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots(per_caller: usize, per_tenant: usize) -> Arc<ExportSlots> {
        ExportSlots::new(&BulkLimits {
            customer_import_max_rows: 10,
            exports_per_caller: per_caller,
            exports_per_tenant: per_tenant,
        })
    }

    #[test]
    fn places_are_limited_per_caller_and_per_tenant_and_given_back() {
        let slots = slots(1, 2);
        let (ann, bob, cy) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let (acme, globex) = (Uuid::new_v4(), Uuid::new_v4());
        let first = slots.acquire(ann, acme).unwrap();
        assert_eq!(slots.acquire(ann, acme).err(), Some(Busy::Caller(1)));
        let _second = slots.acquire(bob, acme).unwrap();
        assert_eq!(slots.acquire(cy, acme).err(), Some(Busy::Tenant(2)));
        // Another workspace is not affected.
        let _elsewhere = slots.acquire(cy, globex).unwrap();
        drop(first);
        let _again = slots.acquire(ann, acme).unwrap();
        assert!(slots.running.lock().unwrap().callers.len() == 3);
    }
}
