//! Roles and the permissions they grant: the one table of access rules.

use std::fmt;

/// A member's role in a tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Sales,
    Service,
    Marketing,
    Viewer,
}

/// One thing a caller may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    CustomersRead,
    CustomersWrite,
    CustomersDelete,
    AdminMembers,
    AdminApiKeys,
    AdminSettings,
    AdminAudit,
    /// Orders, products, price lists and exchange rates: reading.
    OrdersRead,
    /// Orders: creating, importing, changing their status.
    OrdersWrite,
    /// Products and price lists: creating, changing, deleting.
    ProductsWrite,
    /// Exchange rates: setting them.
    ExchangeRatesWrite,
    /// Deals and pipelines: reading (deals only of visible customers).
    DealsRead,
    /// Deals: creating, changing, moving between stages.
    DealsWrite,
    /// Leads: reading.
    LeadsRead,
    /// Leads: creating, qualifying, disqualifying, converting.
    LeadsWrite,
    /// Pipelines and their stages: creating and changing them.
    PipelinesAdmin,
    /// Forecasts and sales-activity reports.
    SalesReports,
    /// The outbox of domain events: reading it.
    AdminEvents,
    /// Customer value analytics: starting a recompute.
    AnalyticsRun,
    /// Cases and service figures: reading (cases only of visible customers).
    CasesRead,
    /// Cases: opening, changing, moving between statuses, rating.
    CasesWrite,
    /// Marketing segments: reading them (members only among visible customers).
    MarketingRead,
    /// Marketing segments: creating, changing, filling and deleting them.
    MarketingWrite,
    /// Webhook endpoints: creating, changing, rotating their secrets,
    /// reading their delivery logs, redelivering and replaying events.
    AdminWebhooks,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 24] = [
        Permission::CustomersRead,
        Permission::CustomersWrite,
        Permission::CustomersDelete,
        Permission::AdminMembers,
        Permission::AdminApiKeys,
        Permission::AdminSettings,
        Permission::AdminAudit,
        Permission::OrdersRead,
        Permission::OrdersWrite,
        Permission::ProductsWrite,
        Permission::ExchangeRatesWrite,
        Permission::DealsRead,
        Permission::DealsWrite,
        Permission::LeadsRead,
        Permission::LeadsWrite,
        Permission::PipelinesAdmin,
        Permission::SalesReports,
        Permission::AdminEvents,
        Permission::AnalyticsRun,
        Permission::CasesRead,
        Permission::CasesWrite,
        Permission::MarketingRead,
        Permission::MarketingWrite,
        Permission::AdminWebhooks,
    ];

    /// Parses a public permission name such as `customers:read`.
    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The permission's public name, as listed by `me.permissions`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::CustomersRead => "customers:read",
            Permission::CustomersWrite => "customers:write",
            Permission::CustomersDelete => "customers:delete",
            Permission::AdminMembers => "admin:members",
            Permission::AdminApiKeys => "admin:api_keys",
            Permission::AdminSettings => "admin:settings",
            Permission::AdminAudit => "admin:audit",
            Permission::OrdersRead => "orders:read",
            Permission::OrdersWrite => "orders:write",
            Permission::ProductsWrite => "products:write",
            Permission::ExchangeRatesWrite => "exchange_rates:write",
            Permission::DealsRead => "deals:read",
            Permission::DealsWrite => "deals:write",
            Permission::LeadsRead => "leads:read",
            Permission::LeadsWrite => "leads:write",
            Permission::PipelinesAdmin => "pipelines:admin",
            Permission::SalesReports => "sales:reports",
            Permission::AdminEvents => "admin:events",
            Permission::AnalyticsRun => "analytics:run",
            Permission::CasesRead => "cases:read",
            Permission::CasesWrite => "cases:write",
            Permission::MarketingRead => "marketing:read",
            Permission::MarketingWrite => "marketing:write",
            Permission::AdminWebhooks => "admin:webhooks",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

use Permission::*;

const ADMINISTRATION: &[Permission] = &[
    CustomersRead,
    CustomersWrite,
    CustomersDelete,
    AdminMembers,
    AdminApiKeys,
    AdminSettings,
    AdminAudit,
    OrdersRead,
    OrdersWrite,
    ProductsWrite,
    ExchangeRatesWrite,
    DealsRead,
    DealsWrite,
    LeadsRead,
    LeadsWrite,
    PipelinesAdmin,
    SalesReports,
    AdminEvents,
    AnalyticsRun,
    CasesRead,
    CasesWrite,
    MarketingRead,
    MarketingWrite,
    AdminWebhooks,
];

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::Manager,
        Role::Sales,
        Role::Service,
        Role::Marketing,
        Role::Viewer,
    ];

    /// The permissions this role grants.
    pub fn permissions(self) -> &'static [Permission] {
        match self {
            Role::Owner | Role::Admin => ADMINISTRATION,
            Role::Manager => &[
                CustomersRead,
                CustomersWrite,
                CustomersDelete,
                AdminApiKeys,
                OrdersRead,
                OrdersWrite,
                ProductsWrite,
                ExchangeRatesWrite,
                DealsRead,
                DealsWrite,
                LeadsRead,
                LeadsWrite,
                SalesReports,
                AnalyticsRun,
                CasesRead,
                CasesWrite,
                MarketingRead,
                MarketingWrite,
            ],
            Role::Sales => &[
                CustomersRead,
                CustomersWrite,
                OrdersRead,
                OrdersWrite,
                DealsRead,
                DealsWrite,
                LeadsRead,
                LeadsWrite,
                CasesRead,
                CasesWrite,
            ],
            Role::Marketing => &[
                CustomersRead,
                CustomersWrite,
                OrdersRead,
                DealsRead,
                LeadsRead,
                LeadsWrite,
                CasesRead,
                MarketingRead,
                MarketingWrite,
            ],
            Role::Service => &[
                CustomersRead,
                CustomersWrite,
                OrdersRead,
                DealsRead,
                LeadsRead,
                CasesRead,
                CasesWrite,
            ],
            Role::Viewer => &[CustomersRead, OrdersRead, DealsRead, LeadsRead, CasesRead],
        }
    }

    /// Whether this role grants `permission`.
    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// The name stored in `memberships.role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Sales => "sales",
            Role::Service => "service",
            Role::Marketing => "marketing",
            Role::Viewer => "viewer",
        }
    }

    /// Whether a member with this role may give `other` to someone or take
    /// it away: only owners manage owners, and admins manage everyone else.
    pub fn can_manage(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => other != Role::Owner,
            _ => false,
        }
    }

    /// Parses a stored role name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn viewers_read_but_do_not_write() {
        assert!(Role::Viewer.grants(CustomersRead));
        assert!(!Role::Viewer.grants(CustomersWrite));
        assert!(!Role::Sales.grants(AdminApiKeys));
        assert!(Role::Owner.grants(AdminMembers));
    }

    #[test]
    fn sales_staff_write_orders_and_everyone_reads_them() {
        assert!(Role::Sales.grants(OrdersWrite));
        assert!(Role::Manager.grants(ProductsWrite));
        assert!(!Role::Sales.grants(ProductsWrite));
        assert!(!Role::Service.grants(OrdersWrite));
        assert!(Role::ALL.iter().all(|role| role.grants(OrdersRead)));
    }

    #[test]
    fn sales_staff_work_deals_and_admins_shape_pipelines() {
        assert!(Role::Sales.grants(DealsWrite));
        assert!(!Role::Viewer.grants(DealsWrite));
        assert!(!Role::Manager.grants(PipelinesAdmin));
        assert!(Role::Admin.grants(PipelinesAdmin));
        assert!(Role::Manager.grants(SalesReports));
        assert!(!Role::Sales.grants(AdminEvents));
        assert!(Role::Admin.grants(AdminWebhooks) && Role::Owner.grants(AdminWebhooks));
        assert!(!Role::Manager.grants(AdminWebhooks));
        assert!(Role::ALL.iter().all(|role| role.grants(DealsRead)));
    }
}
