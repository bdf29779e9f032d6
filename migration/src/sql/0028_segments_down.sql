DROP FUNCTION IF EXISTS record_segment_sizes();
DROP TABLE IF EXISTS segment_sizes;
DROP TABLE IF EXISTS segment_members;
DROP TABLE IF EXISTS segments;
