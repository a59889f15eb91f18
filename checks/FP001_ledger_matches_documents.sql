-- code: FP001
-- severity: error
-- description: a purchase or selling document and its inventory movement disagree (or one lacks the other)
-- hint: the triggers purchases_to_inventory and sellings_to_inventory keep them equal; find what bypassed them
SELECT d.kind, d.id AS document_id, d.variant_id, d.store_id, d.quantity, m.id AS movement_id,
       m.variant_id AS movement_variant_id, m.store_id AS movement_store_id, m.quantity AS movement_quantity
FROM (SELECT 'purchase' AS kind, id, variant_id, store_id, quantity FROM purchases
      UNION ALL
      SELECT 'selling', id, variant_id, store_id, -quantity FROM sellings) d
FULL JOIN (SELECT * FROM inventory_movements WHERE reference_type IN ('purchase', 'selling')) m
  ON m.reference_type = d.kind AND m.reference_id = d.id
WHERE (d.variant_id, d.store_id, d.quantity) IS DISTINCT FROM (m.variant_id, m.store_id, m.quantity)
ORDER BY coalesce(d.id, m.reference_id)
