-- code: FP006
-- severity: info
-- description: a variant's stock still rests on a legacy reconciliation (the old stock figure disagreed with the ledgers)
-- hint: count the shelves, then adjust each store's stock (adjust_stock) and reverse the reconciliation in the same call
SELECT m.variant_id, m.quantity AS reconciled, m.note
FROM inventory_movements m
WHERE m.reference_type = 'legacy_reconciliation'
ORDER BY m.variant_id
