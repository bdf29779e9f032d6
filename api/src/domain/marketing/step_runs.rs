//! Running due campaign steps. The worker of any node claims due steps of
//! `ACTIVE` campaigns (`claim_campaign_steps`, `FOR UPDATE SKIP LOCKED`, so
//! two nodes never claim one step) and works through the members in
//! batches, each batch one transaction that holds the step's row lock and
//! records one `campaign_step_deliveries` row per member with what was
//! done: a step taken up again after a crash (its lease ran out) never
//! reaches a member twice. Email and invitation steps queue one outgoing
//! message per member in the contact's language; call lists make a task
//! for the customer's owner.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use super::campaigns::{self, MemberStatus};
use super::step_texts::{choose, MergeValues, StepText, TextLanguage};
use super::steps::{self, StepKind, StepStatus};
use crate::cache::Cache;
use crate::domain::interactions::{self, Direction, InteractionKind, NewInteraction};
use crate::domain::outbox;
use crate::error::{Error, Result};
use crate::tenancy::{TenantScope, TenantTx};

/// Members handled per transaction.
const BATCH: i64 = 200;
/// Runs of a step before it is marked `FAILED`.
pub const MAX_ATTEMPTS: i32 = 3;
/// The `kind` of the outgoing messages campaign steps queue.
pub const MESSAGE_KIND: &str = "campaign";

/// Claims up to `max` due steps of any tenant for this worker, each leased
/// for `lease`: `(tenant, step)` pairs.
pub async fn claim_due(
    db: &DatabaseConnection,
    max: i32,
    lease: Duration,
) -> Result<Vec<(Uuid, Uuid)>> {
    let rows = db
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT tenant_id, id FROM claim_campaign_steps($1, make_interval(secs => $2))",
            [max.into(), lease.as_secs_f64().into()],
        ))
        .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("", "tenant_id")?, r.try_get("", "id")?)))
        .collect()
}

/// Runs a claimed step to its end; a failure leaves it `RUNNING` for
/// another try once its lease runs out, or `FAILED` after
/// [`MAX_ATTEMPTS`]. Returns whether this call finished the step.
pub async fn run(
    db: &DatabaseConnection,
    cache: &Cache,
    tenant_id: Uuid,
    step_id: Uuid,
    lease: Duration,
) -> Result<bool> {
    loop {
        match batch(db, cache, tenant_id, step_id, lease).await {
            Ok(Progress::More) => continue,
            Ok(Progress::Finished) => return Ok(true),
            Ok(Progress::NotRunning) => return Ok(false),
            Err(err) => {
                tracing::warn!(%step_id, error = ?err, "campaign step failed");
                give_up_if_spent(db, tenant_id, step_id).await?;
                return Err(err);
            }
        }
    }
}

enum Progress {
    More,
    Finished,
    NotRunning,
}

/// A member still to be handled by a step, with whom to reach.
#[derive(Debug, FromQueryResult)]
struct Pending {
    customer_id: Uuid,
    status: String,
    customer_name: String,
    owner_id: Option<Uuid>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_language: Option<String>,
    customer_email: Option<String>,
}

/// One transaction: the next members of the step, or the step's end.
async fn batch(
    db: &DatabaseConnection,
    cache: &Cache,
    tenant_id: Uuid,
    step_id: Uuid,
    lease: Duration,
) -> Result<Progress> {
    let tx = TenantTx::begin(db, cache, TenantScope::system(tenant_id)).await?;
    // The row lock makes two runs of one step (a lease that ran out while
    // its node still worked) take turns; the deliveries keep them apart.
    let locked = tx
        .query_one(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM campaign_steps
              WHERE tenant_id = $1 AND id = $2 AND status = 'RUNNING' FOR UPDATE",
            [tenant_id.into(), step_id.into()],
        ))
        .await?;
    if locked.is_none() {
        return Ok(Progress::NotRunning);
    }
    let step = steps::find(&tx, step_id)
        .await?
        .ok_or(Error::NotFound("campaign step"))?;
    let campaign = campaigns::find(&tx, step.campaign_id)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
    let kind = StepKind::parse(&step.kind)?;
    let texts = steps::texts_of(&tx, &[step_id])
        .await?
        .remove(&step_id)
        .unwrap_or_default();
    let pending = Pending::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT m.customer_id, m.status, cu.name AS customer_name, cu.owner_id,
                ct.name AS contact_name, ct.email AS contact_email,
                ct.language AS contact_language, nullif(btrim(cu.email), '') AS customer_email
           FROM campaign_members m
           JOIN customers cu ON cu.tenant_id = m.tenant_id AND cu.id = m.customer_id
                            AND cu.deleted_at IS NULL
           LEFT JOIN LATERAL (
                SELECT c.name, btrim(c.email) AS email, c.language
                  FROM contacts c
                 WHERE c.tenant_id = m.tenant_id AND c.customer_id = m.customer_id
                   AND c.deleted_at IS NULL AND nullif(btrim(c.email), '') IS NOT NULL
                 ORDER BY c.created_at, c.id
                 LIMIT 1) ct ON true
          WHERE m.tenant_id = $1 AND m.campaign_id = $2
            AND NOT EXISTS (SELECT 1 FROM campaign_step_deliveries d
                             WHERE d.tenant_id = m.tenant_id AND d.step_id = $3
                               AND d.customer_id = m.customer_id)
          ORDER BY m.customer_id
          LIMIT $4",
        [
            tenant_id.into(),
            step.campaign_id.into(),
            step_id.into(),
            BATCH.into(),
        ],
    ))
    .all(&*tx)
    .await?;
    if pending.is_empty() {
        tx.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE campaign_steps
                SET status = $3, leased_until = NULL, finished_at = now(), updated_at = now()
              WHERE tenant_id = $1 AND id = $2",
            [
                tenant_id.into(),
                step_id.into(),
                StepStatus::Done.as_str().into(),
            ],
        ))
        .await?;
        tx.commit().await?;
        return Ok(Progress::Finished);
    }
    let (mut sent, mut skipped) = (0i32, 0i32);
    for member in &pending {
        let done = if kind.sends_text() {
            send(&tx, &texts, &campaign, step_id, member).await?
        } else {
            call_task(&tx, &step, &campaign, member).await?
        };
        if done {
            sent += 1;
        } else {
            skipped += 1;
        }
    }
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE campaign_steps
            SET sent_count = sent_count + $3, skipped_count = skipped_count + $4,
                leased_until = now() + make_interval(secs => $5), updated_at = now()
          WHERE tenant_id = $1 AND id = $2",
        [
            tenant_id.into(),
            step_id.into(),
            sent.into(),
            skipped.into(),
            lease.as_secs_f64().into(),
        ],
    ))
    .await?;
    tx.commit().await?;
    Ok(Progress::More)
}

/// Queues the step's text for one member, or passes over a member who
/// unsubscribed, bounced or has no email. Returns whether it was sent.
async fn send(
    tx: &TenantTx,
    texts: &[StepText],
    campaign: &entity::campaign::Model,
    step_id: Uuid,
    member: &Pending,
) -> Result<bool> {
    let status = MemberStatus::parse(&member.status)?;
    let recipient = member
        .contact_email
        .as_deref()
        .or(member.customer_email.as_deref());
    let text = choose(
        texts,
        TextLanguage::for_contact(member.contact_language.as_deref()),
    );
    let (recipient, text) = match (recipient, text, status) {
        (_, _, MemberStatus::Unsubscribed | MemberStatus::Bounced)
        | (None, _, _)
        | (_, None, _) => {
            deliver(tx, step_id, member.customer_id, "SKIPPED", None, None).await?;
            return Ok(false);
        }
        (Some(recipient), Some(text), _) => (recipient, text),
    };
    let (subject, body) = text.fill(&MergeValues {
        contact_name: member
            .contact_name
            .as_deref()
            .unwrap_or(&member.customer_name),
        customer_name: &member.customer_name,
        campaign_name: &campaign.name,
    });
    let message_id = outbox::enqueue(tx, MESSAGE_KIND, recipient, &subject, &body).await?;
    deliver(
        tx,
        step_id,
        member.customer_id,
        "SENT",
        Some(message_id),
        None,
    )
    .await?;
    // A member the campaign got further with keeps that status.
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE campaign_members
            SET status = 'SENT', status_at = now(), touched_at = coalesce(touched_at, now())
          WHERE tenant_id = $1 AND campaign_id = $2 AND customer_id = $3 AND status = 'TARGETED'",
        [
            tx.tenant_id().into(),
            campaign.id.into(),
            member.customer_id.into(),
        ],
    ))
    .await?;
    Ok(true)
}

/// Makes a call task, due at the step's time, for the customer's owner (or
/// the campaign's); a member who unsubscribed is passed over.
async fn call_task(
    tx: &TenantTx,
    step: &entity::campaign_step::Model,
    campaign: &entity::campaign::Model,
    member: &Pending,
) -> Result<bool> {
    if MemberStatus::parse(&member.status)? == MemberStatus::Unsubscribed {
        deliver(tx, step.id, member.customer_id, "SKIPPED", None, None).await?;
        return Ok(false);
    }
    let task = interactions::log_by(
        tx,
        NewInteraction {
            customer_id: member.customer_id,
            contact_id: None,
            deal_id: None,
            case_id: None,
            kind: InteractionKind::Task,
            direction: Direction::Internal,
            channel: None,
            subject: Some(format!("{}: {}", campaign.name, member.customer_name)),
            body: None,
            occurred_at: Utc::now(),
            duration_seconds: None,
            due_at: Some(step.scheduled_at),
        },
        member.owner_id.or(campaign.owner_id),
    )
    .await?;
    deliver(tx, step.id, member.customer_id, "TASK", None, Some(task.id)).await?;
    Ok(true)
}

/// Records what the step did for a member. The key (step, member) refuses
/// a second record, so a member is never reached twice by one step.
async fn deliver(
    tx: &TenantTx,
    step_id: Uuid,
    customer_id: Uuid,
    outcome: &str,
    message_id: Option<Uuid>,
    interaction_id: Option<Uuid>,
) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO campaign_step_deliveries (tenant_id, step_id, customer_id, outcome, message_id, interaction_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
        [
            tx.tenant_id().into(),
            step_id.into(),
            customer_id.into(),
            outcome.into(),
            message_id.into(),
            interaction_id.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// After a failed batch: a step that used its [`MAX_ATTEMPTS`] is `FAILED`;
/// otherwise it waits for its lease to run out and is claimed again.
async fn give_up_if_spent(db: &DatabaseConnection, tenant_id: Uuid, step_id: Uuid) -> Result<()> {
    let tx = TenantTx::begin_untracked(db, TenantScope::system(tenant_id)).await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE campaign_steps
            SET status = 'FAILED', leased_until = NULL, finished_at = now(), updated_at = now(),
                error = 'the step failed on every attempt'
          WHERE tenant_id = $1 AND id = $2 AND status = 'RUNNING' AND attempts >= $3",
        [tenant_id.into(), step_id.into(), MAX_ATTEMPTS.into()],
    ))
    .await?;
    tx.commit().await
}

/// Moves a merged customer's step deliveries to the survivor of the merge;
/// where a step reached both, the survivor's delivery stays.
pub async fn move_deliveries(tx: &TenantTx, merged_id: Uuid, survivor_id: Uuid) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO campaign_step_deliveries (tenant_id, step_id, customer_id, outcome, message_id,
                                               interaction_id, at)
         SELECT tenant_id, step_id, $3, outcome, message_id, interaction_id, at
           FROM campaign_step_deliveries WHERE tenant_id = $1 AND customer_id = $2
         ON CONFLICT DO NOTHING",
        [tx.tenant_id().into(), merged_id.into(), survivor_id.into()],
    ))
    .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM campaign_step_deliveries WHERE tenant_id = $1 AND customer_id = $2",
        [tx.tenant_id().into(), merged_id.into()],
    ))
    .await?;
    Ok(())
}
