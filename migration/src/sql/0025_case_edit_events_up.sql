-- A case's history also records edits of its subject, description, kind,
-- channel and contact (from and to values, as for the other changes).
ALTER TABLE case_events DROP CONSTRAINT case_events_kind_check;
ALTER TABLE case_events ADD CONSTRAINT case_events_kind_check
    CHECK (kind IN ('OPENED', 'STATUS_CHANGED', 'PRIORITY_CHANGED', 'ASSIGNED', 'RATED',
                    'SUBJECT_CHANGED', 'DESCRIPTION_CHANGED', 'KIND_CHANGED',
                    'CHANNEL_CHANGED', 'CONTACT_CHANGED'));
