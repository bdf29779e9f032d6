DROP FUNCTION IF EXISTS count_waiting_outbound_messages(integer);
