//! The one door to customer-owned records. Every select of a table whose
//! rows belong to a customer (customers, contacts, interactions, deals,
//! leads, orders, cases) starts here, with the tenant's condition and the
//! member's customer visibility (`visibility.rs`) already applied, so a new
//! query cannot forget either. A test below reads the sources and fails when
//! any other module selects those tables directly. Raw SQL over them
//! (search, duplicates, analytics, exports) uses
//! [`super::visibility::sql_condition`].

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

use entity::{case, contact, customer, deal, interaction, lead, order};

use crate::tenancy::TenantTx;

/// How the member's customer visibility reaches a table's rows.
pub enum Reach<C> {
    /// The row is a customer.
    Itself,
    /// The row hangs from the customer in this column.
    ViaCustomer(C),
    /// The row is governed by its owner in this column (leads, which have
    /// no customer until converted).
    ViaOwner(C),
}

/// A tenant table whose rows belong to a customer (or, for leads, to an
/// owner).
pub trait CustomerOwned: EntityTrait {
    /// The tenant column.
    const TENANT: Self::Column;
    /// How visibility reaches a row.
    const REACH: Reach<Self::Column>;
    /// The soft-delete column, for tables that keep deleted rows.
    const DELETED: Option<Self::Column> = None;
}

/// The rows of `E` in the transaction's tenant that its member may see;
/// soft-deleted rows are left out.
pub fn visible<E: CustomerOwned>(tx: &TenantTx) -> Select<E> {
    let select = visible_with_deleted::<E>(tx);
    match E::DELETED {
        Some(deleted) => select.filter(deleted.is_null()),
        None => select,
    }
}

/// As [`visible`], soft-deleted rows included (a customer's history shows
/// who deleted it; a restore starts from the deleted row).
pub fn visible_with_deleted<E: CustomerOwned>(tx: &TenantTx) -> Select<E> {
    let select = E::find().filter(E::TENANT.eq(tx.tenant_id()));
    let Some(restriction) = tx.scope().customers else {
        return select;
    };
    match E::REACH {
        Reach::Itself => select.filter(super::visibility::condition(restriction)),
        Reach::ViaCustomer(column) => {
            select.filter(super::customers::of_visible_customer(tx, column))
        }
        Reach::ViaOwner(column) => select.filter(super::visibility::owner_condition(
            restriction,
            E::default(),
            E::TENANT,
            column,
        )),
    }
}

/// Every row of `E` in the tenant, hidden and deleted ones included, for
/// work the member's visibility must not narrow: keeping stored rules
/// whole (a stage that still holds deals, an external id already taken) or
/// renewing every cached view a change reaches. Each caller says why.
pub fn including_hidden<E: CustomerOwned>(tx: &TenantTx) -> Select<E> {
    E::find().filter(E::TENANT.eq(tx.tenant_id()))
}

impl CustomerOwned for customer::Entity {
    const TENANT: customer::Column = customer::Column::TenantId;
    const REACH: Reach<customer::Column> = Reach::Itself;
    const DELETED: Option<customer::Column> = Some(customer::Column::DeletedAt);
}

impl CustomerOwned for contact::Entity {
    const TENANT: contact::Column = contact::Column::TenantId;
    const REACH: Reach<contact::Column> = Reach::ViaCustomer(contact::Column::CustomerId);
    const DELETED: Option<contact::Column> = Some(contact::Column::DeletedAt);
}

impl CustomerOwned for interaction::Entity {
    const TENANT: interaction::Column = interaction::Column::TenantId;
    const REACH: Reach<interaction::Column> = Reach::ViaCustomer(interaction::Column::CustomerId);
}

impl CustomerOwned for deal::Entity {
    const TENANT: deal::Column = deal::Column::TenantId;
    const REACH: Reach<deal::Column> = Reach::ViaCustomer(deal::Column::CustomerId);
}

impl CustomerOwned for lead::Entity {
    const TENANT: lead::Column = lead::Column::TenantId;
    const REACH: Reach<lead::Column> = Reach::ViaOwner(lead::Column::OwnerId);
}

impl CustomerOwned for order::Entity {
    const TENANT: order::Column = order::Column::TenantId;
    const REACH: Reach<order::Column> = Reach::ViaCustomer(order::Column::CustomerId);
}

impl CustomerOwned for case::Entity {
    const TENANT: case::Column = case::Column::TenantId;
    const REACH: Reach<case::Column> = Reach::ViaCustomer(case::Column::CustomerId);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The customer-owned tables, by the names the sources use for them.
    const OWNED: [(&str, &str); 7] = [
        ("customer", "Customers"),
        ("contact", "Contacts"),
        ("interaction", "Interactions"),
        ("deal", "Deals"),
        ("lead", "Leads"),
        ("order", "Orders"),
        ("case", "Cases"),
    ];

    fn sources(dir: &Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("the source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                found.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn no_module_but_the_finder_selects_customer_owned_tables() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 50, "the sources were not found");
        let mut bypasses = Vec::new();
        for (path, text) in &files {
            if path.ends_with("domain/finder.rs") {
                continue;
            }
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                for (module, alias) in OWNED {
                    for select in ["::find()", "::find_by_id("] {
                        let starts_a_name = |name: &str| {
                            code.match_indices(name).any(|(at, _)| {
                                !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                            })
                        };
                        if starts_a_name(&format!("{module}::Entity{select}"))
                            || starts_a_name(&format!("{alias}{select}"))
                        {
                            bypasses.push(format!("{path}:{}: {}", number + 1, line.trim()));
                        }
                    }
                }
            }
        }
        assert!(
            bypasses.is_empty(),
            "select customer-owned records through domain::finder, which applies the tenant and the member's visibility:\n{}",
            bypasses.join("\n")
        );
    }
}
