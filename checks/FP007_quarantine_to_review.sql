-- code: FP007
-- severity: info
-- description: rows and values the migrations moved aside wait in quarantine.entries for a decision
-- hint: fix and put them back, or keep them as the record of what the legacy database held
SELECT anomaly, source_table, kind, count(*) AS entries
FROM quarantine.entries
GROUP BY anomaly, source_table, kind
ORDER BY anomaly, source_table, kind
