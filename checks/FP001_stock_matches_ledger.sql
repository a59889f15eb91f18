-- code: FP001
-- severity: error
-- description: a variant's stock differs from its ledger (purchases minus sellings, all stores)
-- hint: the ledger is the truth; reconcile with an adjustment, never by editing stock
SELECT v.id AS variant_id, v.stock, coalesce(pu.q, 0) - coalesce(se.q, 0) AS ledger
FROM variants v
LEFT JOIN (SELECT variant_id, sum(quantity) AS q FROM purchases GROUP BY variant_id) pu ON pu.variant_id = v.id
LEFT JOIN (SELECT variant_id, sum(quantity) AS q FROM sellings GROUP BY variant_id) se ON se.variant_id = v.id
WHERE v.stock IS DISTINCT FROM coalesce(pu.q, 0) - coalesce(se.q, 0)
ORDER BY v.id
