-- "Complaints this agency handles" (the list filter and an official's inbox) looks up
-- assignments by complaint and agency together. The old (complaint_id) index left SQLite
-- scanning all of an agency's assignments for every complaint row (150 ms -> 0.3 ms for a
-- filtered list at 200 000 complaints).
DROP INDEX assignments_complaint;
CREATE INDEX assignments_complaint ON assignments(complaint_id, agency_id, state);

-- The monthly report: an agency's assignments still pending since before the month, and
-- each complaint's last status before the month's end (a covering walk, no table reads).
CREATE INDEX assignments_pending ON assignments(created_at) WHERE state = 'pending';
CREATE INDEX audit_status ON audit_events(complaint_id, seq, at, after) WHERE after IS NOT NULL;
-- Complaints that changed status after a date but were created before another: covered.
DROP INDEX complaints_status_at;
CREATE INDEX complaints_status_at ON complaints(status_at, created_at);
-- Ratings given in a month.
CREATE INDEX ratings_answered ON ratings(answered_at) WHERE rating IS NOT NULL;
